// Loads Herald's configuration: built-in defaults, then the YAML file, then environment overrides,
// each layer checked as it is applied. The result holds absolute paths only.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, displayPath, joinKeyPath } from './config-error.js';
import { defaultConfig } from './defaults.js';
import { applyEnv } from './env.js';
import { applyFile } from './schema.js';
import type { HeraldConfig } from './types.js';
import { parseYaml, type Locate } from './yaml-source.js';

export interface LoadOptions {
  /** Configuration file; overrides HERALD_CONFIG and the default location. */
  path?: string;
  /** Environment to read overrides from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Working folder for the default file location and for relative paths from env and defaults. */
  cwd?: string;
  /**
   * The installation's own configuration file, tried when neither a file was named nor one exists
   * in `cwd`: so the CLI run from any folder finds the data a server started from the
   * installation uses, instead of silently opening a new database under `cwd`.
   */
  installedFile?: string;
}

export const DEFAULT_CONFIG_FILE = path.join('config', 'herald.yaml');

/** Throws ConfigError, with a one-line message, when the configuration is unreadable or invalid. */
export function loadConfig(options: LoadOptions = {}): HeraldConfig {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const chosen = chooseFile(options.path, env, cwd, options.installedFile);

  let config = defaultConfig();
  if (chosen !== undefined) {
    const displayName = displayPath(chosen.file, cwd);
    const text = readFile(chosen.file, displayName, chosen.reason);
    const parsed = parseYaml(text, displayName);
    config = applyFile(config, parsed.value, { displayName, baseDir: path.dirname(chosen.file), locate: parsed.locate });
    config.sourceFile = chosen.file;
    config.sourceLines = linesOfLateChecks(config, parsed.locate);
  }
  config = applyEnv(config, env, cwd);

  // Defaults are relative; file and env values were already made absolute (no-op for them).
  config.certsDir = path.resolve(cwd, config.certsDir);
  config.storage.dataDir = path.resolve(cwd, config.storage.dataDir);
  return config;
}

interface ChosenFile {
  file: string;
  /** Why this file, for the "cannot read" message; undefined for the default location. */
  reason: string | undefined;
}

function chooseFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string, installed: string | undefined): ChosenFile | undefined {
  if (explicit !== undefined) return { file: path.resolve(cwd, explicit), reason: 'given on the command line' };
  const fromEnv = env['HERALD_CONFIG']?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { file: path.resolve(cwd, fromEnv), reason: 'named by HERALD_CONFIG' };
  const fallback = path.join(cwd, DEFAULT_CONFIG_FILE);
  // Only the default location may be absent: a file someone named must exist.
  if (fs.existsSync(fallback)) return { file: fallback, reason: undefined };
  return installed !== undefined && fs.existsSync(installed) ? { file: installed, reason: undefined } : undefined;
}

function readFile(file: string, displayName: string, reason: string | undefined): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = reason === undefined ? '' : ` (${reason})`;
    throw new ConfigError({ kind: 'file', file: displayName }, undefined, `cannot read the configuration file${why}: ${code}`, { cause: e });
  }
}

/** Lines of the values only checked after loading (certificate files, module names, ports), for their errors. */
function linesOfLateChecks(config: HeraldConfig, locate: Locate): Record<string, number> {
  const paths: (string | number)[][] = [['domains'], ['certsDir']];
  config.domains.forEach((_, i) => paths.push(['domains', i], ['domains', i, 'name'], ['domains', i, 'tls', 'cert'], ['domains', i, 'tls', 'key']));
  for (const name of Object.keys(config.modules)) paths.push(['modules', name]);
  for (const name of Object.keys(config.listeners)) paths.push(['listeners', name, 'port'], ['listeners', name]);
  const lines: Record<string, number> = {};
  for (const keyPath of paths) {
    const line = locate(keyPath, 'value');
    if (line !== undefined) lines[joinKeyPath(keyPath)] = line;
  }
  return lines;
}

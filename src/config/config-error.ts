// One-line configuration errors. An operator reads these in a terminal or a service log, so each
// names where the bad value came from (file:line or environment variable), the key path, what was
// expected and what was found — enough to fix the problem without reading Herald's source.
import path from 'node:path';

/** Where a configuration value came from. */
export type ConfigSource =
  | { kind: 'file'; file: string; line?: number }
  | { kind: 'env'; variable: string }
  | { kind: 'defaults' };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly source: ConfigSource;
  /** Dotted key path such as `limits.maxStanzaBytes` or `domains[1].name`; undefined for file-level problems. */
  readonly keyPath: string | undefined;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(source: ConfigSource, keyPath: string | undefined, problem: string, options?: { cause?: unknown }) {
    super(formatMessage(source, keyPath, problem), options);
    this.source = source;
    this.keyPath = keyPath;
    this.problem = problem;
  }
}

function formatMessage(source: ConfigSource, keyPath: string | undefined, problem: string): string {
  const parts: string[] = [];
  if (source.kind === 'file') parts.push(source.line === undefined ? source.file : `${source.file}:${source.line}`);
  else if (source.kind === 'env') parts.push(`environment ${source.variable}`);
  else parts.push('built-in defaults');
  if (keyPath !== undefined && keyPath !== '') parts.push(keyPath);
  parts.push(oneLine(problem));
  return parts.join(': ');
}

/** `expected X, found Y` with Y rendered so that its type is visible. */
export function expectedFound(expected: string, found: unknown): string {
  return `expected ${expected}, found ${describeValue(found)}`;
}

/** Renders a parsed value for an error message: strings quoted, structures named rather than dumped. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(truncate(value));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a map';
  return typeof value;
}

/** Paths in messages are shown relative to the working folder when they lie inside it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Joins key path segments: `limits` + `maxDepth` → `limits.maxDepth`, `domains` + 0 → `domains[0]`. */
export function joinKeyPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

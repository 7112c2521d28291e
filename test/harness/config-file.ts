// For configuration tests: each test gets a fresh folder; `load` writes YAML to herald.yaml there
// and reads it as `herald --config` would (no environment), `errorOf` returns the error message,
// `folder` is where relative paths in the file resolve.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { HeraldConfig } from '../../src/config/types.js';

export function configFiles(prefix: string): { load(yaml: string): HeraldConfig; errorOf(yaml: string): string; folder(): string } {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string): HeraldConfig => {
    const file = path.join(dir, 'herald.yaml');
    fs.writeFileSync(file, yaml);
    return loadConfig({ path: file, env: {}, cwd: dir });
  };
  const errorOf = (yaml: string): string => {
    try {
      load(yaml);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a configuration error');
  };
  return { load, errorOf, folder: () => dir };
}

// cluster.postgresUrl and HERALD_POSTGRES_URL: accepted forms, errors that never show the
// password, and the one place (storageOptions) that turns them into the storage backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { storageOptions } from '../../src/storage/open-storage.js';
import { maskedUrl } from '../../src/util/masked-url.js';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-config-pg-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

function writeConfig(text: string): void {
  fs.mkdirSync(path.join(cwd, 'config'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'config', 'herald.yaml'), text);
}

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig({ cwd, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('PostgreSQL URL configuration', () => {
  it('without a URL, storage is SQLite in storage.dataDir', () => {
    const config = loadConfig({ cwd, env: {} });
    expect(storageOptions(config)).toEqual({ kind: 'sqlite', dataDir: config.storage.dataDir });
  });

  it('cluster.postgresUrl in the file switches every repository to PostgreSQL', () => {
    writeConfig('cluster:\n  postgresUrl: postgres://herald:pw@db.internal:5432/herald\n');
    expect(storageOptions(loadConfig({ cwd, env: {} }))).toEqual({ kind: 'postgres', url: 'postgres://herald:pw@db.internal:5432/herald' });
  });

  it('HERALD_POSTGRES_URL overrides the file, and postgresql:// is accepted too', () => {
    writeConfig('cluster:\n  postgresUrl: postgres://a@one/x\n');
    const config = loadConfig({ cwd, env: { HERALD_POSTGRES_URL: 'postgresql://b@two:6000/y' } });
    expect(storageOptions(config)).toEqual({ kind: 'postgres', url: 'postgresql://b@two:6000/y' });
  });

  it('a URL of another scheme names the variable and masks the password', () => {
    const error = errorOf({ HERALD_POSTGRES_URL: 'mysql://root:hunter2@db/herald' });
    expect(error.message).toContain('environment HERALD_POSTGRES_URL');
    expect(error.message).toContain('mysql://root:***@db/herald');
    expect(error.message).toContain('postgres: or postgresql:');
    expect(error.message).not.toContain('hunter2');
  });

  it('text that is no URL at all names file, line and key, and shows none of it', () => {
    writeConfig('cluster:\n  postgresUrl: "postgres://herald:se cret@[bad/herald"\n');
    const error = errorOf({});
    expect(error.message).toMatch(/herald\.yaml:2: cluster\.postgresUrl: expected a URL like postgres:\/\/user:password@host:5432\/database/);
    expect(error.message).not.toContain('se cret');
  });

  it('an unknown key in cluster: is refused with the known ones', () => {
    writeConfig('cluster:\n  postgresURL: postgres://h/x\n');
    expect(errorOf({}).message).toContain('did you mean postgresUrl?');
  });

  it('maskedUrl hides a password in the user part and in ?password=', () => {
    expect(maskedUrl('postgres://u:p%40ss@h:1/d')).toBe('postgres://u:***@h:1/d');
    expect(maskedUrl('postgres://u@h/d?password=x&sslmode=require')).toBe('postgres://u@h/d?password=***&sslmode=require');
    expect(maskedUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});

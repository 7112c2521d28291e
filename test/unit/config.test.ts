import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { parseJid } from '../../src/protocol/jid.js';

let cwd: string;

beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-config-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

/** Writes `<cwd>/config/herald.yaml` (the default location) and returns its path. */
function writeConfig(text: string, name = 'config/herald.yaml'): string {
  const file = path.join(cwd, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function loadError(options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig(options);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain('\n');
    return e as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('defaults', () => {
  it('are used when there is no file, with paths resolved against cwd', () => {
    const config = loadConfig({ cwd, env: {} });
    const expected = defaultConfig();
    expected.certsDir = path.join(cwd, 'certs');
    expected.storage.dataDir = path.join(cwd, 'data');
    expect(config).toEqual(expected);
    expect(config.sourceFile).toBeUndefined();
    expect(config.domains).toEqual([{ name: 'localhost', registration: { enabled: false } }]);
    expect(config.listeners.c2s).toEqual({ enabled: true, host: '0.0.0.0', port: 5222 });
    expect(config.listeners.c2sDirectTls.port).toBe(5223);
    expect(config.limits.maxStanzaBytes).toBe(262144);
    expect(config.auth.scramIterations).toBe(4096);
  });

  it('returns a fresh copy each time', () => {
    defaultConfig().domains.push({ name: 'x.example', registration: { enabled: true } });
    expect(defaultConfig().domains).toHaveLength(1);
  });
});

describe('file', () => {
  it('ships config/herald.yaml equal to the defaults, with paths relative to the repository', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const config = loadConfig({ path: path.join(root, 'config', 'herald.yaml'), env: {}, cwd });
    const expected = defaultConfig();
    expected.sourceFile = path.join(root, 'config', 'herald.yaml');
    expected.certsDir = path.join(root, 'certs');
    expected.storage.dataDir = path.join(root, 'data');
    // Where values sit in the file (for later error messages) is not a setting.
    expect({ ...config, sourceLines: undefined }).toEqual(expected);
  });

  it('loads a valid file over the defaults', () => {
    const file = writeConfig(`
domains:
  - name: Example.ORG
    registration: { enabled: true }
  - chat.example.net
listeners:
  c2s: { port: 15222 }
  c2sDirectTls: { enabled: false }
auth: { scramIterations: 10000 }
limits: { maxStanzaBytes: 65536, idleTimeoutSeconds: 600 }
logging: { level: debug }
modules:
  muc:
  mam: { enabled: false, options: { retentionDays: 30 } }
`);
    const config = loadConfig({ cwd, env: {} });
    expect(config.sourceFile).toBe(file);
    expect(config.domains).toEqual([
      { name: 'example.org', registration: { enabled: true } },
      { name: 'chat.example.net', registration: { enabled: false } },
    ]);
    expect(config.listeners.c2s).toEqual({ enabled: true, host: '0.0.0.0', port: 15222 });
    expect(config.listeners.c2sDirectTls).toEqual({ enabled: false, host: '0.0.0.0', port: 5223 });
    expect(config.auth.scramIterations).toBe(10000);
    expect(config.limits.maxStanzaBytes).toBe(65536);
    expect(config.limits.idleTimeoutSeconds).toBe(600);
    expect(config.limits.maxDepth).toBe(32);
    expect(config.logging.level).toBe('debug');
    expect(config.modules).toEqual({
      muc: { enabled: true, options: {} },
      mam: { enabled: false, options: { retentionDays: 30 } },
    });
  });

  it('treats an empty file as defaults', () => {
    writeConfig('# nothing yet\n');
    expect(loadConfig({ cwd, env: {} }).domains[0]?.name).toBe('localhost');
  });

  it('resolves relative paths against the file folder, absolute paths as given', () => {
    writeConfig(`
certsDir: ../certs
storage: { dataDir: /var/lib/herald }
domains:
  - name: example.org
    tls: { cert: tls/example.crt, key: /etc/ssl/example.key }
`);
    const config = loadConfig({ cwd, env: {} });
    expect(config.certsDir).toBe(path.join(cwd, 'certs'));
    expect(config.storage.dataDir).toBe('/var/lib/herald');
    expect(config.domains[0]?.tls).toEqual({ cert: path.join(cwd, 'config', 'tls', 'example.crt'), key: '/etc/ssl/example.key' });
  });

  it('prefers options.path, then HERALD_CONFIG, then config/herald.yaml', () => {
    writeConfig('logging: { level: warn }\n');
    const other = writeConfig('logging: { level: error }\n', 'elsewhere/a.yaml');
    const third = writeConfig('logging: { level: trace }\n', 'elsewhere/b.yaml');
    expect(loadConfig({ cwd, env: {} }).logging.level).toBe('warn');
    expect(loadConfig({ cwd, env: { HERALD_CONFIG: other } }).logging.level).toBe('error');
    expect(loadConfig({ cwd, env: { HERALD_CONFIG: other }, path: 'elsewhere/b.yaml' }).sourceFile).toBe(third);
  });

  it('fails when a named file is missing', () => {
    const err = loadError({ cwd, env: { HERALD_CONFIG: 'nope.yaml' } });
    expect(err.message).toBe('nope.yaml: cannot read the configuration file (named by HERALD_CONFIG): ENOENT');
  });
});

describe('environment overrides', () => {
  it('HERALD_DOMAINS replaces the list and keeps settings of domains the file configures', () => {
    writeConfig('domains:\n  - name: example.org\n    registration: { enabled: true }\n');
    const config = loadConfig({ cwd, env: { HERALD_DOMAINS: ' Other.example , example.org,' } });
    expect(config.domains).toEqual([
      { name: 'other.example', registration: { enabled: false } },
      { name: 'example.org', registration: { enabled: true } },
    ]);
  });

  it('HERALD_BIND sets the host of every listener', () => {
    const config = loadConfig({ cwd, env: { HERALD_BIND: '127.0.0.1' } });
    expect(config.listeners.c2s.host).toBe('127.0.0.1');
    expect(config.listeners.c2sDirectTls.host).toBe('127.0.0.1');
    expect(config.listeners.s2s.host).toBe('127.0.0.1');
    expect(config.listeners.s2sTls.host).toBe('127.0.0.1');
  });

  it('HERALD_C2S_PORT and HERALD_C2S_TLS_PORT set the ports (0 allowed)', () => {
    const config = loadConfig({ cwd, env: { HERALD_C2S_PORT: '0', HERALD_C2S_TLS_PORT: '15223' } });
    expect(config.listeners.c2s.port).toBe(0);
    expect(config.listeners.c2sDirectTls.port).toBe(15223);
  });

  it('HERALD_S2S_PORT and HERALD_S2S_TLS_PORT set the server-to-server ports (0 allowed); a bad one names the variable', () => {
    const config = loadConfig({ cwd, env: { HERALD_S2S_PORT: '0', HERALD_S2S_TLS_PORT: '15270' } });
    expect(config.listeners.s2s.port).toBe(0);
    expect(config.listeners.s2sTls.port).toBe(15270);
    expect(loadConfig({ cwd, env: { HERALD_S2S_PORT: '' } }).listeners.s2s.port).toBe(5269);
    expect(loadError({ cwd, env: { HERALD_S2S_PORT: '5269x' } }).message).toBe('environment HERALD_S2S_PORT: expected a port number 0-65535, found "5269x"');
    expect(loadError({ cwd, env: { HERALD_S2S_TLS_PORT: '70000' } }).message).toContain('HERALD_S2S_TLS_PORT');
  });

  it('HERALD_DATA_DIR and HERALD_CERTS_DIR resolve against cwd, not the file folder', () => {
    writeConfig('certsDir: ../certs\n');
    const config = loadConfig({ cwd, env: { HERALD_DATA_DIR: 'var/data', HERALD_CERTS_DIR: 'var/certs' } });
    expect(config.storage.dataDir).toBe(path.join(cwd, 'var', 'data'));
    expect(config.certsDir).toBe(path.join(cwd, 'var', 'certs'));
  });

  it('HERALD_LOG_LEVEL sets the level', () => {
    expect(loadConfig({ cwd, env: { HERALD_LOG_LEVEL: 'DEBUG' } }).logging.level).toBe('debug');
  });

  it('ignores empty variables', () => {
    expect(loadConfig({ cwd, env: { HERALD_C2S_PORT: '', HERALD_DOMAINS: '' } }).listeners.c2s.port).toBe(5222);
  });

  it('reports bad values with the variable name', () => {
    expect(loadError({ cwd, env: { HERALD_C2S_PORT: 'abc' } }).message).toBe(
      'environment HERALD_C2S_PORT: expected a port number 0-65535, found "abc"',
    );
    expect(loadError({ cwd, env: { HERALD_C2S_TLS_PORT: '70000' } }).message).toContain('HERALD_C2S_TLS_PORT');
    expect(loadError({ cwd, env: { HERALD_LOG_LEVEL: 'loud' } }).message).toContain('expected one of trace, debug');
    expect(loadError({ cwd, env: { HERALD_DOMAINS: 'ok.example,bad domain' } }).message).toBe(
      'environment HERALD_DOMAINS: expected a domain name such as example.org, found "bad domain"',
    );
  });
});

describe('errors in the file', () => {
  it('names file, line, key path, expectation and found value for a bad type', () => {
    writeConfig('# Herald\nlimits:\n  maxDepth: 16\n  maxStanzaBytes: lots\n');
    const err = loadError({ cwd, env: {} });
    expect(err.message).toBe(`${path.join('config', 'herald.yaml')}:4: limits.maxStanzaBytes: expected an integer ≥ 10000, found "lots"`);
    expect(err.keyPath).toBe('limits.maxStanzaBytes');
  });

  it('rejects maxStanzaBytes below the RFC 6120 minimum and low scramIterations', () => {
    writeConfig('limits:\n  maxStanzaBytes: 9999\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:2: limits\.maxStanzaBytes: expected an integer ≥ 10000, found 9999$/);
    writeConfig('auth:\n  scramIterations: 1000\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:2: auth\.scramIterations: expected an integer 4096-\d+, found 1000$/);
  });

  it('limits.maxQueuedBytesPerSession holds at least what a paced writer (offline flush) leaves in a socket plus one largest stanza', () => {
    // 131072 (the socket high-water mark) + maxStanzaBytes: the boundary itself is accepted.
    writeConfig('limits:\n  maxStanzaBytes: 65536\n  maxQueuedBytesPerSession: 196608\n');
    expect(loadConfig({ cwd, env: {} }).limits.maxQueuedBytesPerSession).toBe(196608);
    writeConfig('limits:\n  maxStanzaBytes: 65536\n  maxQueuedBytesPerSession: 196607\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(
      /:3: limits\.maxQueuedBytesPerSession: expected limits\.maxQueuedBytesPerSession ≥ 196608 \(131072, what a paced writer such as the offline flush leaves in a socket, plus one stanza of limits\.maxStanzaBytes 65536\), found 196607$/,
    );
    // The old minimum, 64 KiB, is below it whatever the stanza limit.
    writeConfig('limits:\n  maxStanzaBytes: 10000\n  maxQueuedBytesPerSession: 65536\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:3: limits\.maxQueuedBytesPerSession: expected an integer ≥ 141072, found 65536$/);
    // A stanza limit raised past what the (default) queue bound allows names the key that was set.
    writeConfig('limits:\n  maxStanzaBytes: 8388608\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:2: limits\.maxStanzaBytes: expected limits\.maxQueuedBytesPerSession ≥ 8519680 .*found 8388608$/);
  });

  it('rejects an auth.fastTokenSecret shorter than 32 characters', () => {
    writeConfig('auth:\n  fastTokenSecret: too-short\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:2: auth\.fastTokenSecret: expected a secret string of at least 32 characters/);
  });

  it('rejects unknown keys and suggests the likely one', () => {
    writeConfig('limits:\n  maxDepth: 16\n  maxStanzaByte: 20000\n');
    const err = loadError({ cwd, env: {} });
    expect(err.message).toMatch(/herald\.yaml:3: limits\.maxStanzaByte: unknown key \(did you mean maxStanzaBytes\?\); expected one of maxStanzaBytes, /);
    writeConfig('logging: { level: info }\ndomain: [example.org]\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/herald\.yaml:2: domain: unknown key \(did you mean domains\?\)/);
  });

  it('rejects an out-of-range port', () => {
    writeConfig('listeners:\n  c2s:\n    host: "::"\n    port: 65536\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/herald\.yaml:4: listeners\.c2s\.port: expected a port number 0-65535, found 65536$/);
  });

  it('reports YAML syntax errors with file and line', () => {
    writeConfig('logging:\n  level: info\nlimits: [1, 2\nmodules: {}\n');
    const err = loadError({ cwd, env: {} });
    expect(err.message).toMatch(/^config[\\/]herald\.yaml:\d+: YAML syntax error: /);
    expect(err.source).toMatchObject({ kind: 'file', line: 4 });
  });

  it('reports duplicate keys and duplicate domains', () => {
    writeConfig('logging: { level: info }\nlogging: { level: warn }\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/herald\.yaml:2: YAML syntax error: Map keys must be unique/);
    writeConfig('domains:\n  - example.org\n  - name: EXAMPLE.org\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:3: domains\[1\]\.name: expected each domain once, found example\.org again/);
  });

  it('checks domain entries and module entries', () => {
    writeConfig('domains:\n  - name: example.org\n    tls: { cert: a.crt }\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:3: domains\[0\]\.tls: expected both cert and key, found no key/);
    writeConfig('domains: []\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:1: domains: expected a list of at least one domain, found an empty list/);
    writeConfig('modules:\n  muc:\n    enabled: yes\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:3: modules\.muc\.enabled: expected true or false, found "yes"/);
    writeConfig('modules:\n  muc:\n    option: {}\n');
    expect(loadError({ cwd, env: {} }).message).toMatch(/:3: modules\.muc\.option: unknown key \(did you mean options\?\)/);
  });
});

describe('international domain names', () => {
  it('RFC 7622 §3.2: a domain given as an A-label is kept in the U-label form JIDs use', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-idn-'));
    const file = path.join(dir, 'h.yaml');
    fs.writeFileSync(file, 'domains:\n  - name: xn--mnchen-3ya.de\n');
    const config = loadConfig({ path: file, env: {} });
    expect(config.domains[0]!.name).toBe('münchen.de');
    expect(config.domains[0]!.name).toBe(parseJid('user@XN--MNCHEN-3YA.DE').domain);
    fs.rmSync(dir, { recursive: true });
  });
});

// The admin control socket: JSON-lines protocol, socket file handling, and the client's errors.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminSocketPath, answerLine, startAdminServer, type AdminServer } from '../../../src/admin/admin-server.js';
import { adminRequest, AdminError } from '../../../src/admin/admin-client.js';
import { silentLogger } from '../../../src/util/logger.js';

const commands = {
  echo: (args: Record<string, unknown>) => args,
  boom: () => {
    throw new Error('it broke');
  },
  slow: async () => new Promise((resolve) => setTimeout(() => resolve('late'), 20)),
};

describe('answerLine', () => {
  it('answers a command with its result and the request id', async () => {
    expect(JSON.parse(await answerLine('{"id":7,"cmd":"echo","args":{"x":1}}', commands))).toEqual({ id: 7, ok: true, result: { x: 1 } });
  });
  it('reports unknown commands, bad JSON, bad shapes and thrown errors', async () => {
    expect(JSON.parse(await answerLine('{"id":1,"cmd":"nope"}', commands))).toEqual({ id: 1, ok: false, error: "unknown command 'nope' (known: boom, echo, slow)" });
    expect(JSON.parse(await answerLine('{not json', commands))).toEqual({ id: null, ok: false, error: 'request is not valid JSON' });
    expect(JSON.parse(await answerLine('[1]', commands))).toMatchObject({ ok: false, error: 'request must be a JSON object' });
    expect(JSON.parse(await answerLine('{"id":2}', commands))).toMatchObject({ id: 2, ok: false, error: "request needs a 'cmd' string" });
    expect(JSON.parse(await answerLine('{"cmd":"echo","args":[1]}', commands))).toMatchObject({ ok: false, error: "'args' must be an object" });
    expect(JSON.parse(await answerLine('{"id":3,"cmd":"boom"}', commands))).toEqual({ id: 3, ok: false, error: 'it broke' });
    expect(JSON.parse(await answerLine('{"cmd":"toString"}', commands))).toMatchObject({ ok: false });
  });
});

describe('admin socket', () => {
  let dir: string;
  let server: AdminServer | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-admin-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('listens with mode 0600, answers requests in order, and removes the file on close', async () => {
    const socketPath = adminSocketPath(path.join(dir, 'data'));
    server = await startAdminServer({ socketPath, commands, log: silentLogger() });
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(await adminRequest(socketPath, 'echo', { a: 'b' })).toEqual({ a: 'b' });

    const raw = net.connect(socketPath);
    let text = '';
    raw.on('data', (c) => (text += c.toString()));
    raw.write('{"id":1,"cmd":"slow"}\n{"id":2,"cmd":"echo","args":{"n":2}}\n');
    await new Promise<void>((resolve) => raw.on('data', () => text.split('\n').length > 2 && resolve()));
    raw.destroy();
    expect(text.trim().split('\n').map((l) => JSON.parse(l) as { id: number })).toMatchObject([{ id: 1, result: 'late' }, { id: 2, result: { n: 2 } }]);

    await server.close();
    server = undefined;
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('turns a command error into an AdminError', async () => {
    const socketPath = adminSocketPath(dir);
    server = await startAdminServer({ socketPath, commands, log: silentLogger() });
    await expect(adminRequest(socketPath, 'boom')).rejects.toThrow("the server refused 'boom': it broke");
  });

  it('says the server is not running when there is no socket or a dead one', async () => {
    const socketPath = adminSocketPath(dir);
    const missing = await adminRequest(socketPath, 'echo').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AdminError);
    expect((missing as AdminError).notRunning).toBe(true);
    expect((missing as Error).message).toBe(`the server is not running (no admin socket answers at ${socketPath})`);
  });

  it('replaces a stale socket file but not a live one', async () => {
    const socketPath = adminSocketPath(dir);
    // A socket file nobody listens on: what a killed server leaves.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect(fs.existsSync(socketPath)).toBe(true);
    server = await startAdminServer({ socketPath, commands, log: silentLogger() });
    expect(await adminRequest(socketPath, 'echo', { ok: 1 })).toEqual({ ok: 1 });

    await expect(startAdminServer({ socketPath, commands, log: silentLogger() })).rejects.toThrow(/another server is using/);
    expect(await adminRequest(socketPath, 'echo', { still: 1 })).toEqual({ still: 1 });
  });
});

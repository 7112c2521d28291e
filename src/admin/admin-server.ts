// The admin control socket: a Unix socket `<dataDir>/admin.sock` (mode 0600, so only the account
// running Herald can use it) speaking JSON lines. Each request is one line
//   {"id": 1, "cmd": "s2s.status", "args": {}}
// and gets one line back:
//   {"id": 1, "ok": true, "result": …}   or   {"id": 1, "ok": false, "error": "…"}
// Requests on one connection are answered in order. A socket file left by a server that died is
// replaced; one that still answers belongs to a running server and is left alone.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../util/logger.js';

export const ADMIN_SOCKET_NAME = 'admin.sock';
/** Longest request line accepted. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export type AdminCommand = (args: Record<string, unknown>) => unknown;

export interface AdminServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_SOCKET_NAME);
}

export interface AdminRequest {
  id?: unknown;
  cmd: string;
  args: Record<string, unknown>;
}

/** The answer line for one request line (exported for unit tests). */
export async function answerLine(line: string, commands: Readonly<Record<string, AdminCommand>>): Promise<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return JSON.stringify({ id: null, ok: false, error: 'request is not valid JSON' });
  }
  const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? (parsed as { id: unknown }).id : null;
  const reply = (body: { ok: true; result: unknown } | { ok: false; error: string }) => JSON.stringify({ id: id ?? null, ...body });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return reply({ ok: false, error: 'request must be a JSON object' });
  const { cmd, args } = parsed as { cmd?: unknown; args?: unknown };
  if (typeof cmd !== 'string') return reply({ ok: false, error: "request needs a 'cmd' string" });
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return reply({ ok: false, error: "'args' must be an object" });
  const command = Object.prototype.hasOwnProperty.call(commands, cmd) ? commands[cmd] : undefined;
  if (!command) return reply({ ok: false, error: `unknown command '${cmd}' (known: ${Object.keys(commands).sort().join(', ')})` });
  try {
    return reply({ ok: true, result: (await command((args ?? {}) as Record<string, unknown>)) ?? null });
  } catch (error) {
    return reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

export async function startAdminServer(options: { socketPath: string; commands: Readonly<Record<string, AdminCommand>>; log: Logger }): Promise<AdminServer> {
  const { socketPath, commands, log } = options;
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    serve(socket, commands, log);
  });

  await listenReplacingStale(server, socketPath);
  fs.chmodSync(socketPath, 0o600);
  const { ino } = fs.statSync(socketPath);
  log.info({ socket: socketPath }, 'admin socket listening');

  return {
    socketPath,
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // net.Server removes its socket file on close; make sure, but never remove a newer one.
      try {
        if (fs.statSync(socketPath).ino === ino) fs.unlinkSync(socketPath);
      } catch {
        // already gone
      }
    },
  };
}

function serve(socket: net.Socket, commands: Readonly<Record<string, AdminCommand>>, log: Logger): void {
  let buffer = '';
  let chain = Promise.resolve();
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line === '') continue;
      chain = chain.then(async () => {
        const answer = await answerLine(line, commands);
        if (!socket.destroyed) socket.write(`${answer}\n`);
      });
    }
    if (Buffer.byteLength(buffer) > MAX_REQUEST_BYTES) {
      log.warn('admin socket: request line too long; closing');
      socket.end(`${JSON.stringify({ id: null, ok: false, error: 'request line too long' })}\n`);
      buffer = '';
    }
  });
}

async function listenReplacingStale(server: net.Server, socketPath: string): Promise<void> {
  try {
    await listen(server, socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (await answers(socketPath)) throw new Error(`another server is using ${socketPath}`);
    // Left behind by a server that did not stop cleanly.
    fs.unlinkSync(socketPath);
    await listen(server, socketPath);
  }
}

function listen(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    const timer = setTimeout(() => {
      probe.destroy();
      resolve(true);
    }, 1000);
    probe.once('connect', () => {
      clearTimeout(timer);
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

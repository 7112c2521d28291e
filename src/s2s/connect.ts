// TCP connection to the first reachable target; the failure text names every address tried and
// whether it refused or timed out, since that is what an operator needs to fix a route.
import net from 'node:net';
import type { Target } from './resolver.js';

export type Connected = { ok: true; socket: net.Socket; target: Target } | { ok: false; reason: string };

export async function connectFirst(targets: readonly Target[], timeoutMs: number): Promise<Connected> {
  const problems: string[] = [];
  for (const target of targets) {
    const outcome = await connectOne(target, timeoutMs);
    if (typeof outcome !== 'string') return { ok: true, socket: outcome, target };
    problems.push(outcome);
  }
  return { ok: false, reason: `TCP: ${problems.join('; ') || 'no address to connect to'}` };
}

function connectOne(target: Target, timeoutMs: number): Promise<net.Socket | string> {
  const address = net.isIPv6(target.host) ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`connection to ${address} timed out after ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ECONNREFUSED' ? 'refused' : `failed (${error.code ?? error.message})`;
      resolve(`connection to ${address} ${why}`);
    });
  });
}

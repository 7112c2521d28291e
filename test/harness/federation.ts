// Helpers for tests that federate Herald servers over loopback with static routes.
import net from 'node:net';

/** A TCP port free right now on 127.0.0.1 (for s2s listeners that peers must know in advance). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function s2sYaml(routes: Record<string, number>, extra = ''): string {
  const lines = Object.entries(routes).map(([domain, port]) => `    ${domain}: 127.0.0.1:${port}`);
  return ['s2s:', '  connectTimeoutSeconds: 5', '  routes:', ...lines, extra].join('\n');
}


// Helpers for tests that federate Herald servers over loopback with static routes.
import net from 'node:net';
import type { Element } from '@xmpp/xml';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** The defined condition and the text of a stanza error (a bounce), for assertions. */
export function errorOf(stanza: Element): { condition: string | undefined; text: string | undefined } {
  const error = stanza.getChild('error');
  const condition = error?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text');
  return { condition: condition?.name, text: error?.getChildText('text', STANZAS) ?? undefined };
}

/** A TCP port free right now on 127.0.0.1 (for s2s listeners that peers must know in advance). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `s2s:` YAML with static routes: a port means STARTTLS to 127.0.0.1 on it; a string is written
 * as given (`127.0.0.1:5269`, `tls://127.0.0.1:5270`). `extra` lines go under `s2s:`.
 */
export function s2sYaml(routes: Record<string, number | string>, extra: string | string[] = ''): string {
  const lines = Object.entries(routes).map(([domain, route]) => `    ${domain}: ${typeof route === 'number' ? `127.0.0.1:${route}` : route}`);
  return ['s2s:', '  connectTimeoutSeconds: 5', '  routes:', ...lines, ...(Array.isArray(extra) ? extra : [extra])].join('\n');
}

// Helpers for tests that federate Herald servers over loopback with static routes.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Element } from '@xmpp/xml';
import { generateSelfSigned } from '../../src/net/certificates.js';
import { nextMessage } from './im.js';
import { NS_TLS } from './login.js';
import { XmlClient } from './xml-client.js';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** The defined condition and the text of a stanza error (a bounce), for assertions. */
export function errorOf(stanza: Element): { condition: string | undefined; text: string | undefined } {
  const error = stanza.getChild('error');
  const condition = error?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text');
  return { condition: condition?.name, text: error?.getChildText('text', STANZAS) ?? undefined };
}

/** A TCP port free right now on 127.0.0.1 (for s2s listeners that peers must know in advance). */
/**
 * A loopback port that refuses connections, for "peer unreachable" cases. A free port from
 * freePort() will not do: once closed, the kernel may hand it to another test's server running in
 * parallel (a CI run once saw "socket closed" instead of "refused"). Port 1 (tcpmux) is below the
 * ephemeral range and no test binds it.
 */
export const REFUSED_PORT = 1;

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

/**
 * A private federation: a self-signed certificate per domain, each in `<dir>/<domain>/` (point
 * HERALD_CERTS_DIR there), and `strict`, the s2s lines making every server trust the bundle of
 * all of them and refuse anything else. Remove `dir` when done.
 */
export function privateFederation(domains: string[]): { dir: string; certsDir(domain: string): string; strict: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-s2s-certs-'));
  for (const domain of domains) {
    const pair = generateSelfSigned([domain]);
    fs.mkdirSync(path.join(dir, domain));
    fs.writeFileSync(path.join(dir, domain, `${domain}.crt`), pair.certPem);
    fs.writeFileSync(path.join(dir, domain, `${domain}.key`), pair.keyPem, { mode: 0o600 });
  }
  const bundle = domains.map((domain) => path.join(dir, domain, `${domain}.crt`)).join(', ');
  return { dir, certsDir: (domain) => path.join(dir, domain), strict: ['  requireValidCertificates: true', `  caFiles: [${bundle}]`] };
}

/**
 * Sends one chat message each way between two users logged in on federated servers and waits for
 * each to arrive with its sender's full JID as `from`; throws naming the direction that failed.
 */
export async function exchangeOneMessageEachWay(one: { client: XmlClient; jid: string }, other: { client: XmlClient; jid: string }): Promise<void> {
  for (const [from, to, id] of [
    [one, other, 'x1'],
    [other, one, 'x2'],
  ] as const) {
    from.client.send(`<message to='${to.jid}' id='${id}' type='chat'><body>from ${from.jid}</body></message>`);
    const got = await nextMessage(to.client, (el) => el.attrs.id === id);
    if (got.attrs.from !== from.jid) throw new Error(`message ${id} to ${to.jid} came from ${String(got.attrs.from)}, expected ${from.jid}`);
  }
}

/**
 * A raw server-to-server stream from the test to the server on `port`, claiming to come from
 * `from`: header, STARTTLS, header again; resolves with the stream id (which dialback keys sign).
 */
export async function rawS2s(port: number, from: string, to: string): Promise<{ client: XmlClient; streamId: string }> {
  const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'>`;
  const client = await XmlClient.connect(port);
  client.send(header);
  await client.header();
  const first = await client.next('stream:features');
  if (!first.getChild('starttls', NS_TLS)) throw new Error(`no starttls offered: ${first.toString()}`);
  client.send(`<starttls xmlns='${NS_TLS}'/>`);
  await client.next('proceed');
  await client.upgradeTls(to);
  client.streamAttrs = undefined;
  client.resetParser();
  client.send(header);
  const attrs = await client.header();
  await client.next('stream:features');
  return { client, streamId: attrs.id! };
}

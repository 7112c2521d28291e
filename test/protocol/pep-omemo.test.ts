// XEP-0384 OMEMO over XEP-0163 PEP with two independent client libraries against a real Herald:
// A is xmpp.js (@xmpp/client), B is Debian's python3-slixmpp (xep_0060/xep_0163 plugins, default
// settings). A publishes its device list and bundle with access_model=open, for both OMEMO
// namespaces; B, not subscribed, fetches them; B subscribes to A's presence; A updates its device
// list and B's client is notified.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, xml, type XmppClient } from '@xmpp/client';
import type { Element } from 'ltx';
import { ServerProcess } from '../harness/server-process.js';
import { XMPPJS_TIMEOUT_MS } from '../harness/xmppjs.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../harness/slixmpp_omemo_peer.py');
const PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';
const LEGACY = 'eu.siacs.conversations.axolotl';
const V2 = 'urn:xmpp:omemo:2';
/** slixmpp logs in with its default mechanism choice; PEP_SLIXMPP_MECHANISM=X forces one. */
const SLIXMPP_MECHANISM = process.env.PEP_SLIXMPP_MECHANISM ?? '';

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('omemo-a@localhost', 'secret-a');
  await server.addUser('omemo-b@localhost', 'secret-b');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** publish-options with one precondition, as Conversations sends it for OMEMO nodes. */
function openAccess(extra: Record<string, string> = {}): Element {
  const fields = { 'pubsub#access_model': 'open', ...extra };
  return xml(
    'publish-options',
    {},
    xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, PUBLISH_OPTIONS)), ...Object.entries(fields).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v)))),
  );
}

async function publish(a: XmppClient, node: string, id: string, payload: Element, options: Element): Promise<void> {
  const answer = await a.iqCaller.request(
    xml('iq', { type: 'set' }, xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('publish', { node }, xml('item', { id }, payload)), options)),
  );
  expect(answer.attrs.type).toBe('result');
}

async function publishDeviceLists(a: XmppClient, ids: string[]): Promise<void> {
  await publish(a, `${LEGACY}.devicelist`, 'current', xml('list', { xmlns: LEGACY }, ...ids.map((id) => xml('device', { id }))), openAccess());
  await publish(a, `${V2}:devices`, 'current', xml('devices', { xmlns: V2 }, ...ids.map((id) => xml('device', { id, label: `device ${id}` }))), openAccess());
}

/** The slixmpp side: one JSON line per answer or event. */
class SlixmppPeer {
  readonly lines: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ output: line });
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static start(jid: string, password: string, port: number, mechanism?: string): SlixmppPeer {
    const child = spawn('/usr/bin/python3', [PEER, jid, password, String(port), ...(mechanism ? [mechanism] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new SlixmppPeer(child);
    child.stderr.on('data', (c: Buffer) => peer.stderr.push(c.toString()));
    child.once('close', () => {
      peer.lines.push({ closed: true });
      for (const wake of peer.waiters.splice(0)) wake();
    });
    return peer;
  }

  readonly stderr: string[] = [];

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  /** The first line (from `from` on) matching; fails on an error line or when the process ends. */
  async next(match: (line: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.slice(from).find((l) => match(l) || 'error' in l || 'closed' in l);
      if (found) {
        if (!match(found)) throw new Error(`slixmpp: ${JSON.stringify(found)}\n${this.stderr.join('').slice(-2000)}`);
        return found;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  stop(): void {
    this.child.stdin.end();
  }
}

describe('XEP-0384 OMEMO over PEP, xmpp.js and slixmpp', () => {
  it('XEP-0384 §5.3 / XEP-0163 §3: open device lists and bundles fetched by a stranger; device-list update pushed after a presence subscription', async () => {
    const a = client({ service: `xmpp://127.0.0.1:${server.ports.c2s}`, domain: 'localhost', resource: 'xmppjs', username: 'omemo-a', password: 'secret-a', timeout: XMPPJS_TIMEOUT_MS });
    a.on('error', () => undefined);
    // RFC 6121 §3.1.3: A approves B's subscription request when it arrives.
    a.on('stanza', (stanza: Element) => {
      if (stanza.is('presence') && stanza.attrs.type === 'subscribe') void a.send(xml('presence', { to: stanza.attrs.from, type: 'subscribed' }));
    });
    await a.start();
    await a.send(xml('presence'));

    await publishDeviceLists(a, ['1001']);
    await publish(a, `${LEGACY}.bundles:1001`, 'current', xml('bundle', { xmlns: LEGACY }, xml('identityKey', {}, 'BQ=='), xml('prekeys', {}, xml('preKeyPublic', { preKeyId: '1' }, 'BQ=='))), openAccess());
    await publish(a, `${V2}:bundles`, '1001', xml('bundle', { xmlns: V2 }, xml('ik', {}, 'BQ=='), xml('prekeys', {}, xml('pk', { id: '1' }, 'BQ=='))), openAccess({ 'pubsub#max_items': 'max' }));

    const b = SlixmppPeer.start('omemo-b@localhost/slixmpp', 'secret-b', server.ports.c2s, SLIXMPP_MECHANISM || undefined);
    try {
      await b.next((l) => 'ready' in l);
      b.send('fetch omemo-a@localhost');
      const fetched = (await b.next((l) => 'fetched' in l)).fetched as Record<string, unknown[]>;
      expect(fetched[`${LEGACY}.devicelist`]).toEqual([['1001']]);
      expect(fetched[`${V2}:devices`]).toEqual([['1001']]);
      expect(fetched[`${LEGACY}.bundles:1001`]).toEqual(['current']);
      expect(fetched[`${V2}:bundles`]).toEqual(['1001']);

      b.send('subscribe omemo-a@localhost');
      const mark = b.lines.length;
      await b.next((l) => 'subscribed' in l, mark);
      await publishDeviceLists(a, ['1001', '2002']);
      const updated = (node: string) => (l: Record<string, unknown>) => {
        const event = l.event as { node?: string; devices?: string[]; from?: string } | undefined;
        return event?.node === node && event.from === 'omemo-a@localhost' && JSON.stringify(event.devices) === JSON.stringify(['1001', '2002']);
      };
      await b.next(updated(`${LEGACY}.devicelist`), mark);
      await b.next(updated(`${V2}:devices`), mark);
    } finally {
      b.stop();
      await a.stop();
    }
  });
});

// Pending inbound subscription requests (RFC 6121 §3.1.3) under issue 13: bounded per account
// whoever invents the requesting JIDs, and replayed at the pace the session drains.
import { afterEach, describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { parseJid } from '../../../src/protocol/jid.js';
import type { StanzaEvent } from '../../../src/core/events.js';
import { createInProcessCore, errorCondition, type InProcessCore } from '../../harness/in-process-core.js';

const ALICE = 'alice@example.org';
let core: InProcessCore;
afterEach(async () => core.close());

/** A request as if another server had sent it for one of its (possibly invented) users. */
function ask(from: string, status?: string): Promise<void> {
  return core.router.route(xml('presence', { type: 'subscribe', from, to: ALICE, id: `ask-${from}` }, status === undefined ? null : xml('status', null, status)));
}

async function coreWithLimits(maxPendingRequests: number, maxPendingRequestBytes = 1024 * 1024): Promise<Element[]> {
  core = await createInProcessCore({ moduleConfig: { roster: { enabled: true, options: { maxPendingRequests, maxPendingRequestBytes } } } });
  await core.accounts.create(parseJid(ALICE), 'pw');
  // Errors go back to the requesters; on this host they surface as presence/bare events.
  const answers: Element[] = [];
  core.events.on('presence/bare', (event: StanzaEvent) => void (event.stanza.attrs.type === 'error' && answers.push(event.stanza)), 100);
  return answers;
}

describe('pending subscription requests (issue 13 item 2)', () => {
  it('RFC 6121 §3.1.3: invented requesters beyond the count limit are refused; the stored ones stay', async () => {
    const answers = await coreWithLimits(3);
    for (let i = 0; i < 6; i++) await ask(`invented${i}@example.org`);
    expect((await core.storage.roster.pendingIn(ALICE)).map((p) => p.jid)).toEqual(['invented0@example.org', 'invented1@example.org', 'invented2@example.org']);
    expect(answers.map((a) => a.attrs.to)).toEqual(['invented3@example.org', 'invented4@example.org', 'invented5@example.org']);
    expect(answers.map((a) => [a.attrs.from, a.attrs.id, errorCondition(a), a.getChild('error')?.attrs.type])).toEqual(
      [3, 4, 5].map((i) => [ALICE, `ask-invented${i}@example.org`, 'resource-constraint', 'wait']),
    );
  });

  it('RFC 6121 §3.1.3: the byte limit refuses a request that would not fit, and the status is trimmed first', async () => {
    const answers = await coreWithLimits(100, 600);
    await ask('long@example.org', 's'.repeat(100_000)); // kept as 512 characters
    await ask('short@example.org', 'hi');
    await ask('more@example.org', 'x'.repeat(100));
    expect((await core.storage.roster.pendingIn(ALICE)).map((p) => [p.jid, p.status?.length])).toEqual([
      ['long@example.org', 512],
      ['short@example.org', 2],
    ]);
    expect(answers.map((a) => a.attrs.to)).toEqual(['more@example.org']);
  });

  it('RFC 6121 §3.1.3: the replay at initial presence waits for the session to drain before each request', async () => {
    await coreWithLimits(10);
    for (let i = 0; i < 4; i++) await ask(`r${i}@example.org`);
    const alice = await core.connect(`${ALICE}/a`);
    const sentWhenAsked: number[] = [];
    alice.whenWritable = () => {
      sentWhenAsked.push(alice.sent.filter((s) => s.attrs.type === 'subscribe').length);
      return Promise.resolve(true);
    };
    await core.send(alice, xml('presence'));
    expect(alice.sent.filter((s) => s.attrs.type === 'subscribe').map((s) => s.attrs.from)).toEqual(['r0@example.org', 'r1@example.org', 'r2@example.org', 'r3@example.org']);
    expect(sentWhenAsked.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('RFC 6121 §3.1.3: a session that ends during the replay is sent nothing more', async () => {
    await coreWithLimits(10);
    for (let i = 0; i < 4; i++) await ask(`r${i}@example.org`);
    const alice = await core.connect(`${ALICE}/a`);
    let calls = 0;
    alice.whenWritable = () => Promise.resolve(++calls <= 2);
    await core.send(alice, xml('presence'));
    expect(alice.sent.filter((s) => s.attrs.type === 'subscribe')).toHaveLength(2);
    expect(await core.storage.roster.pendingIn(ALICE)).toHaveLength(4);
  });
});

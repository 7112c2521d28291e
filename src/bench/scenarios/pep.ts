// Scenario "pep" (XEP-0163): one owner with N contacts (subscribed both ways, their clients'
// XEP-0115 caps asking for the fan-out node's +notify) and one stranger. Measures the owner's
// publish rate (a node nobody listens to), the stranger's fetch rate (items of an
// access_model=open node), and the fan-out: time from a publish to the last of the N
// notifications, and server CPU per notification.
import { createHash } from 'node:crypto';
import { closeAll, ensureAccounts, inParallel, loginAll, usernames } from '../accounts.js';
import { BenchClient } from '../bench-client.js';
import { summarize } from '../percentiles.js';
import { maybeSample } from '../proc-stats.js';
import { topAttr } from '../tokenizer.js';
import type { BenchContext, ScenarioResult } from '../types.js';

export interface PepOptions {
  contacts: number;
  rounds: number;
  /** IQs for the publish and the fetch rates. */
  requests: number;
}

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const FAN_NODE = 'urn:example:bench:fanout';
const QUIET_NODE = 'urn:example:bench:quiet';
const OPEN_NODE = 'urn:example:bench:open';
const CAPS_NODE = 'https://herald.example/bench';
const IDENTITY = 'client/pc//herald-bench';
const FEATURES = ['http://jabber.org/protocol/disco#info', `${FAN_NODE}+notify`].sort();
/** XEP-0115 §5.1 over one identity and two features (no forms). */
const VER = createHash('sha1').update(`${IDENTITY}<${FEATURES.map((f) => `${f}<`).join('')}`).digest('base64');
const WINDOW = 10;
/** Setting up N subscriptions both ways is slow on some servers (Prosody rewrites the roster file each time). */
const SETUP_TIMEOUT_MS = 180_000;
const ROUND_TIMEOUT_MS = 10_000;

const itemIdIn = (text: string) => /<item\s[^>]*id=["']([^"']+)["']/.exec(text)?.[1];
const entry = (id: string) => `<entry xmlns='urn:example:bench'>${id} ${'x'.repeat(64)}</entry>`;

function publishIq(id: string, node: string, item: string, options = ''): string {
  return `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><publish node='${node}'><item id='${item}'>${entry(item)}</item></publish>${options}</pubsub></iq>`;
}

const OPEN_OPTIONS =
  "<publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>" +
  "<field var='pubsub#access_model'><value>open</value></field></x></publish-options>";

/** Waits until `done()` or the deadline, polling (setup only; the measured parts are event-driven). */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return done();
}

/** `count` IQs from one client with WINDOW in flight; resolves with IQs per second and errors. */
async function iqRate(client: BenchClient, count: number, make: (i: number) => { id: string; text: string }): Promise<{ perS: number; errors: number }> {
  let errors = 0;
  const t0 = performance.now();
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    WINDOW,
    async (i) => {
      const { id, text } = make(i);
      if (topAttr(await client.iq(text, id), 'type') !== 'result') errors++;
    },
  );
  return { perS: count / ((performance.now() - t0) / 1000), errors };
}

export async function pepScenario(ctx: BenchContext, options: PepOptions): Promise<ScenarioResult> {
  const [ownerName, readerName] = usernames(ctx.runId, 'p', 2) as [string, string];
  const contactNames = usernames(ctx.runId, 'pc', options.contacts);
  await ensureAccounts(ctx.target, ctx.accounts, [ownerName, readerName, ...contactNames], ctx.password);
  const ownerBare = `${ownerName}@${ctx.target.domain}`;
  const [owner, reader] = (await loginAll(ctx.target, [ownerName, readerName], ctx.password)) as [BenchClient, BenchClient];
  const contacts: BenchClient[] = new Array<BenchClient>(options.contacts);
  await inParallel(contactNames, 8, async (name, i) => {
    const client = await BenchClient.connect(ctx.target);
    await client.login(name, ctx.password, { presence: false });
    contacts[i] = client;
  });
  let errors = 0;

  // Subscriptions both ways: the owner's server learns the contacts' caps from their presence.
  /** Contacts whose presence the owner now receives. */
  const approvedBy = new Set<string>();
  owner.handler = (text) => {
    if (!text.startsWith('<presence')) return;
    const from = (topAttr(text, 'from') ?? '').split('/')[0]!;
    const type = topAttr(text, 'type');
    if (type === 'subscribe') owner.send(`<presence type='subscribed' to='${from}'/><presence type='subscribe' to='${from}'/>`);
    // The contact's presence arrives once the owner is subscribed to it (a server may answer the
    // owner's request itself, as RFC 6121 §3.1.3 has it do when the contact already subscribed).
    else if (type === undefined || type === 'subscribed') approvedBy.add(from);
  };
  const lastSeen = contacts.map(() => '');
  // The fan-out round in progress: resolved by the contact whose notification is the last one.
  let round: { id: string; pending: number; done(): void } | undefined;
  contacts.forEach((contact, i) => {
    contact.handler = (text) => {
      const type = topAttr(text, 'type');
      if (text.startsWith('<message') && (topAttr(text, 'from') ?? '') === ownerBare) {
        const id = itemIdIn(text);
        if (id === undefined) return;
        lastSeen[i] = id;
        if (round?.id === id && --round.pending === 0) round.done();
      }
      else if (text.startsWith('<presence') && type === 'subscribe') contact.send(`<presence type='subscribed' to='${ownerBare}'/>`);
      else if (text.startsWith('<iq') && type === 'get' && text.includes(`${CAPS_NODE}#`)) {
        const features = FEATURES.map((f) => `<feature var='${f}'/>`).join('');
        contact.send(
          `<iq type='result' id='${topAttr(text, 'id') ?? ''}' to='${topAttr(text, 'from') ?? ''}'><query xmlns='http://jabber.org/protocol/disco#info' node='${CAPS_NODE}#${VER}'><identity category='client' type='pc' name='herald-bench'/>${features}</query></iq>`,
        );
      } else if (type === 'error') errors++;
    };
  });
  // Available first: subscription requests reach available resources only (RFC 6121 §3.1.3).
  for (const contact of contacts) {
    contact.send(`<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='${CAPS_NODE}' ver='${VER}'/></presence>`);
    contact.send(`<presence type='subscribe' to='${ownerBare}'/>`);
  }
  if (!(await until(() => approvedBy.size === options.contacts, SETUP_TIMEOUT_MS))) errors += options.contacts - approvedBy.size;

  // Until every contact is notified (its caps learnt), publish warm-up items.
  let warm = 0;
  const allSaw = (id: string) => lastSeen.every((seen) => seen === id);
  const warmDeadline = Date.now() + SETUP_TIMEOUT_MS;
  while (Date.now() < warmDeadline) {
    const id = `warm-${++warm}`;
    // A server still busy with the set-up may take longer than an IQ's timeout to answer.
    await owner.iq(publishIq(`w${warm}`, FAN_NODE, id), `w${warm}`).catch(() => undefined);
    if (await until(() => allSaw(id), 2000)) break;
  }
  const notReady = lastSeen.filter((seen) => !seen.startsWith('warm-')).length;
  errors += notReady;

  const publish = await iqRate(owner, options.requests, (i) => ({ id: `q${i}`, text: publishIq(`q${i}`, QUIET_NODE, `q${i}`) }));
  await owner.iq(publishIq('open', OPEN_NODE, 'open-1', OPEN_OPTIONS), 'open');
  const fetchXml = (id: string) => `<iq type='get' id='${id}' to='${ownerBare}'><pubsub xmlns='${NS_PUBSUB}'><items node='${OPEN_NODE}'/></pubsub></iq>`;
  const fetch = await iqRate(reader, options.requests, (i) => ({ id: `f${i}`, text: fetchXml(`f${i}`) }));

  const before = maybeSample(ctx.serverPid);
  const durations: number[] = [];
  let delivered = 0;
  for (let r = 0; r < options.rounds; r++) {
    const id = `fan-${r}`;
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ROUND_TIMEOUT_MS);
      round = {
        id,
        pending: options.contacts,
        done: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      owner.send(publishIq(`r${r}`, FAN_NODE, id));
    });
    durations.push(performance.now() - t0);
    const got = lastSeen.filter((seen) => seen === id).length;
    delivered += got;
    if (!ok) errors += options.contacts - got;
  }
  const after = maybeSample(ctx.serverPid);
  errors += publish.errors + fetch.errors + [owner, reader, ...contacts].filter((c) => c.failure !== undefined).length;
  await closeAll([owner, reader, ...contacts]);
  const rounds = summarize(durations);
  const cpuUsPerNotification = before && after && delivered > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1e6) / delivered : undefined;
  return {
    scenario: 'pep',
    params: { contacts: options.contacts, rounds: options.rounds, requests: options.requests },
    metrics: {
      publish_per_s: publish.perS,
      fetch_per_s: fetch.perS,
      fanout_round_p50_ms: rounds.p50,
      fanout_round_max_ms: rounds.max,
      ...(cpuUsPerNotification === undefined ? {} : { server_cpu_us_per_notification: cpuUsPerNotification }),
      lost: options.rounds * options.contacts - delivered,
      errors,
    },
  };
}

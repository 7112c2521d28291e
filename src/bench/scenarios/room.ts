// Scenario "room": room fan-out (XEP-0045). Occupants join one room of the server's MUC service
// (conference.<domain>) until the room holds the first size, then one occupant sends R messages,
// one after another, each delivered to every occupant (the sender's own copy is the room's
// reflection, §7.4); then more join up to the next size and the rounds repeat. Per size: deliveries
// per second, time from send to each occupant's copy (p50, p99), server CPU per delivery.
import { closeAll, ensureAccounts, loginAll, usernames } from '../accounts.js';
import type { BenchClient } from '../bench-client.js';
import { summarize } from '../percentiles.js';
import { maybeSample } from '../proc-stats.js';
import { childText, topAttr } from '../tokenizer.js';
import { ScenarioUnsupported, type BenchContext, type ScenarioResult } from '../types.js';

export interface RoomOptions {
  /** Room sizes, ascending (e.g. 100 and 1,000). */
  occupants: number[];
  rounds: number;
}

const JOIN_TIMEOUT_MS = 120_000;
const ROUND_TIMEOUT_MS = 30_000;
const MUC = 'http://jabber.org/protocol/muc';
// Only moderators' presence is broadcast (§10.2, muc#roomconfig_presencebroadcast), as in large
// announcement-style rooms: filling a room then costs O(N) stanzas instead of O(N²), and what is
// measured is the message fan-out.
const ROOM_CONFIG = [
  "<x xmlns='jabber:x:data' type='submit'>",
  `<field var='FORM_TYPE'><value>${MUC}#roomconfig</value></field>`,
  "<field var='muc#roomconfig_presencebroadcast'><value>moderator</value></field>",
  "<field var='muc#roomconfig_maxusers'><value>none</value></field>",
  '</x>',
].join('');

/** Waits for `ready()` to hold, checking at every stanza the handlers see; false after timeoutMs. */
function waitFor(ready: () => boolean, wake: { notify: () => void }, timeoutMs: number): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    wake.notify = () => {
      if (!ready()) return;
      clearTimeout(timer);
      wake.notify = () => {};
      resolve(true);
    };
  });
}

export async function roomScenario(ctx: BenchContext, options: RoomOptions): Promise<ScenarioResult> {
  const sizes = [...options.occupants].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1] ?? 0;
  const names = usernames(ctx.runId, 'm', largest);
  await ensureAccounts(ctx.target, ctx.accounts, names, ctx.password);
  const room = `${ctx.runId}room@conference.${ctx.target.domain}`;
  const clients: BenchClient[] = [];
  const wake = { notify: () => {} };
  let errors = 0;
  let joined = 0;
  let round: { body: string; t0: number; got: number; latencies: number[] } | undefined;
  let refused: string | undefined;
  let unlocked = false;
  const hasStatus = (text: string, code: string) => new RegExp(`code=['"]${code}['"]`).test(text);

  const attach = (client: BenchClient, nick: string) => {
    let inRoom = false;
    client.handler = (text) => {
      const from = topAttr(text, 'from') ?? '';
      if (text.startsWith('<presence') && from === `${room}/${nick}`) {
        if (topAttr(text, 'type') === 'error') refused ??= text.slice(0, 300);
        else if (!inRoom && hasStatus(text, '110')) {
          inRoom = true;
          joined++;
          // §10.1.2: a new room stays locked until its owner accepts the default configuration.
          if (hasStatus(text, '201')) {
            client.send(`<iq type='set' id='instant' to='${room}'><query xmlns='${MUC}#owner'>${ROOM_CONFIG}</query></iq>`);
          } else unlocked = true;
        }
      } else if (text.startsWith('<iq') && topAttr(text, 'id') === 'instant') {
        if (topAttr(text, 'type') === 'result') unlocked = true;
        else refused ??= text.slice(0, 300);
      } else if (text.startsWith('<message') && round && childText(text, 'body') === round.body) {
        round.got++;
        round.latencies.push(performance.now() - round.t0);
      } else if (topAttr(text, 'type') === 'error') {
        if (errors++ === 0) ctx.log(`room: first error: ${text.slice(0, 400)}`);
      }
      wake.notify();
    };
  };
  const join = (client: BenchClient, nick: string) => {
    attach(client, nick);
    client.send(`<presence to='${room}/${nick}'><x xmlns='${MUC}'><history maxstanzas='0'/></x></presence>`);
  };

  const results: Record<string, number> = {};
  const joinStarted = performance.now();
  for (const size of sizes) {
    // The first occupant creates the room alone, so the others never race its creation.
    const logged = await loginAll(ctx.target, names.slice(clients.length, size), ctx.password);
    const firstBatch = clients.length === 0;
    clients.push(...logged);
    if (firstBatch) {
      join(clients[0]!, 'n0');
      await waitFor(() => unlocked || refused !== undefined, wake, JOIN_TIMEOUT_MS);
      if (!unlocked) {
        await closeAll(clients);
        throw new ScenarioUnsupported(`no room at ${room}: ${refused ?? 'no answer'}`);
      }
    }
    for (const client of logged.slice(firstBatch ? 1 : 0)) join(client, `n${clients.indexOf(client)}`);
    if (!(await waitFor(() => joined === size, wake, JOIN_TIMEOUT_MS))) errors += size - joined;
    results[`n${size}_fill_s`] = (performance.now() - joinStarted) / 1000;

    const sender = clients[0]!;
    const before = maybeSample(ctx.serverPid);
    const latencies: number[] = [];
    let delivered = 0;
    let busyMs = 0;
    for (let r = 0; r < options.rounds; r++) {
      round = { body: `${ctx.runId}-${size}-${r}`, t0: performance.now(), got: 0, latencies };
      const current = round;
      sender.send(`<message to='${room}' type='groupchat' id='g${size}-${r}'><body>${current.body}</body></message>`);
      if (!(await waitFor(() => current.got >= size, wake, ROUND_TIMEOUT_MS))) errors += size - current.got;
      busyMs += performance.now() - current.t0;
      delivered += current.got;
    }
    round = undefined;
    const after = maybeSample(ctx.serverPid);
    const s = summarize(latencies);
    results[`n${size}_deliveries_per_s`] = delivered / (busyMs / 1000);
    results[`n${size}_latency_p50_ms`] = s.p50;
    results[`n${size}_latency_p99_ms`] = s.p99;
    if (before && after && delivered > 0) results[`n${size}_server_cpu_us_per_delivery`] = ((after.cpuSeconds - before.cpuSeconds) * 1e6) / delivered;
    results[`n${size}_lost`] = options.rounds * size - delivered;
  }
  errors += clients.filter((c) => c.failure !== undefined).length;
  await closeAll(clients);
  return { scenario: 'room', params: { occupants: sizes.join(','), rounds: options.rounds }, metrics: { ...results, errors } };
}

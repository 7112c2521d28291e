// Scenario "room" (XEP-0045 fan-out): N occupants in one room at conference.<domain>; one of them
// sends R groupchat messages, one after another, and each is timed until every occupant
// (the sender included: its echo) has it. Reports deliveries per second and per-delivery latency.
import { closeAll, ensureAccounts, inParallel, loginAll, usernames } from '../accounts.js';
import { summarize } from '../percentiles.js';
import { ownCpuSeconds } from '../proc-stats.js';
import { topAttr } from '../tokenizer.js';
import type { BenchClient } from '../bench-client.js';
import type { BenchContext, ScenarioResult } from '../types.js';

export interface RoomOptions {
  occupants: number;
  rounds: number;
}

const JOIN_TIMEOUT_MS = 120_000;
const ROUND_TIMEOUT_MS = 30_000;

/** Joins `room` as `nick`; resolves on the self-presence (status 110), rejects on an error presence. */
function joinRoom(client: BenchClient, room: string, nick: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${nick} could not join ${room} in time`)), JOIN_TIMEOUT_MS);
    client.handler = (text) => {
      if (!text.startsWith('<presence') || topAttr(text, 'from') !== `${room}/${nick}`) return;
      clearTimeout(timer);
      if (topAttr(text, 'type') === 'error') reject(new Error(`joining ${room} failed: ${text.slice(0, 300)}`));
      else if (text.includes("code='110'") || text.includes('code="110"')) resolve();
    };
    client.send(`<presence to='${room}/${nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
  });
}

export async function roomScenario(ctx: BenchContext, options: RoomOptions): Promise<ScenarioResult> {
  const names = usernames(ctx.runId, 'm', options.occupants);
  await ensureAccounts(ctx.target, ctx.accounts, names, ctx.password);
  const clients = await loginAll(ctx.target, names, ctx.password);
  const room = `${ctx.runId}room@conference.${ctx.target.domain}`;
  const [owner] = clients as [BenchClient];
  await joinRoom(owner, room, names[0]!);
  // An instant room (XEP-0045 §10.1.2), whether or not the server locks new rooms.
  await owner.iq(`<iq type='set' id='instant' to='${room}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`, 'instant');
  await inParallel(clients.slice(1), 8, (client, i) => joinRoom(client, room, names[i + 1]!));

  let errors = 0;
  let pending = 0;
  let body = '';
  let t0 = 0;
  let roundDone: () => void = () => {};
  const latencies: number[] = [];
  for (const client of clients) {
    client.handler = (text) => {
      if (!text.startsWith('<message')) return;
      if (topAttr(text, 'type') === 'error') return void errors++;
      if (!text.includes(`<body>${body}</body>`)) return;
      latencies.push(performance.now() - t0);
      if (--pending === 0) roundDone();
    };
  }
  const ownBefore = ownCpuSeconds();
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  let delivered = 0;
  let totalMs = 0;
  for (let round = 0; round < options.rounds; round++) {
    body = `${ctx.runId}-r${round}`;
    pending = options.occupants;
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ROUND_TIMEOUT_MS);
      roundDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
      t0 = performance.now();
      owner.send(`<message type='groupchat' to='${room}'><body>${body}</body></message>`);
    });
    totalMs += performance.now() - t0;
    delivered += options.occupants - pending;
    if (!ok) errors += pending;
  }
  const windowUs: [number, number] = [windowStart, Number(process.hrtime.bigint() / 1000n)];
  errors += clients.filter((c) => c.failure !== undefined).length;
  await closeAll(clients);
  const s = summarize(latencies);
  return {
    scenario: 'room',
    params: { occupants: options.occupants, rounds: options.rounds },
    metrics: {
      delivered_per_s: delivered / (totalMs / 1000),
      latency_p50_ms: s.p50,
      latency_p99_ms: s.p99,
      lost: options.rounds * options.occupants - delivered,
      errors,
      bench_cpu_s: ownCpuSeconds() - ownBefore,
    },
    windowUs,
  };
}

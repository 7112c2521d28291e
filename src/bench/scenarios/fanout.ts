// Scenario "fan-out": one user whose N contacts are subscribed to its presence goes
// unavailable and available again, R times; each change is one stanza in and N out.
import { closeAll, ensureAccounts, loginAll, usernames } from '../accounts.js';
import { summarize } from '../percentiles.js';
import { maybeSample, ownCpuSeconds } from '../proc-stats.js';
import { topAttr } from '../tokenizer.js';
import type { BenchContext, ScenarioResult } from '../types.js';

export interface FanoutOptions {
  contacts: number;
  rounds: number;
}

/** Each subscription is roster writes on both sides: allow for 1,000 contacts on a busy machine. */
const setupTimeoutMs = (contacts: number) => 30_000 + 100 * contacts;

export async function fanoutScenario(ctx: BenchContext, options: FanoutOptions): Promise<ScenarioResult> {
  const [userName] = usernames(ctx.runId, 'u', 1) as [string];
  const contactNames = usernames(ctx.runId, 'c', options.contacts);
  await ensureAccounts(ctx.target, ctx.accounts, [userName, ...contactNames], ctx.password);
  const userBare = `${userName}@${ctx.target.domain}`;
  const [user] = await loginAll(ctx.target, [userName], ctx.password);
  const contacts = await loginAll(ctx.target, contactNames, ctx.password);
  let errors = 0;

  // Subscriptions: every contact asks, the user approves; the server then sends the user's
  // presence to the contact, which is how we know the contact is in place.
  user!.handler = (text) => {
    if (topAttr(text, 'type') === 'error') errors++;
    else if (text.startsWith('<presence') && topAttr(text, 'type') === 'subscribe') {
      user!.send(`<presence type='subscribed' to='${topAttr(text, 'from')?.split('/')[0] ?? ''}'/>`);
    }
  };
  let expectedType: string | undefined = undefined; // undefined = available
  let pending = options.contacts;
  let roundDone: () => void = () => {};
  const fromUser = (text: string) => text.startsWith('<presence') && (topAttr(text, 'from') ?? '').startsWith(`${userBare}/`);
  const seen = contacts.map(() => false);
  contacts.forEach((contact, i) => {
    contact.handler = (text) => {
      if (topAttr(text, 'type') === 'error') return void errors++;
      if (!fromUser(text) || seen[i] || topAttr(text, 'type') !== expectedType) return;
      seen[i] = true;
      if (--pending === 0) roundDone();
    };
  });
  const waitRound = (start: () => void, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      roundDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
      start();
    });
  const setupOk = await waitRound(() => contacts.forEach((c) => c.send(`<presence type='subscribe' to='${userBare}'/>`)), setupTimeoutMs(options.contacts));
  if (!setupOk) errors += pending;

  const ownBefore = ownCpuSeconds();
  const serverBefore = maybeSample(ctx.serverPid);
  const durations: number[] = [];
  let delivered = 0;
  for (let round = 0; round < options.rounds; round++) {
    expectedType = round % 2 === 0 ? 'unavailable' : undefined;
    seen.fill(false);
    pending = options.contacts;
    const t0 = performance.now();
    const ok = await waitRound(() => user!.send(expectedType ? "<presence type='unavailable'/>" : '<presence/>'), 10_000);
    durations.push(performance.now() - t0);
    delivered += options.contacts - pending;
    if (!ok) errors += pending;
  }
  const serverAfter = maybeSample(ctx.serverPid);
  const totalS = durations.reduce((a, b) => a + b, 0) / 1000;
  errors += [user!, ...contacts].filter((c) => c.failure !== undefined).length;
  await closeAll([user, ...contacts]);
  const s = summarize(durations);
  return {
    scenario: 'fanout',
    params: { contacts: options.contacts, rounds: options.rounds },
    metrics: {
      presence_per_s: delivered / totalS,
      round_p50_ms: s.p50,
      round_max_ms: s.max,
      lost: options.rounds * options.contacts - delivered,
      errors,
      bench_cpu_s: ownCpuSeconds() - ownBefore,
      // The server's cost of one presence change reaching every contact.
      ...(serverBefore && serverAfter ? { server_cpu_ms_per_round: ((serverAfter.cpuSeconds - serverBefore.cpuSeconds) * 1000) / options.rounds } : {}),
    },
  };
}

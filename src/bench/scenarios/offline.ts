// Scenario "offline": M messages to a user who is not logged in, then that user logs in.
// Store rate: M over the time until a ping sent after the last message is answered (servers
// handle one client's stanzas in order, so the reply means all M were stored). Then the time
// from the recipient's initial presence until all M arrived.
import { BenchClient } from '../bench-client.js';
import { closeAll, ensureAccounts, usernames } from '../accounts.js';
import { ownCpuSeconds } from '../proc-stats.js';
import { topAttr } from '../tokenizer.js';
import type { BenchContext, ScenarioResult } from '../types.js';

const OFFLINE_BATCH = 500;

export interface OfflineOptions {
  messages: number;
  /** Give up waiting for delivery after this long. */
  timeoutS: number;
}

export async function offlineScenario(ctx: BenchContext, options: OfflineOptions): Promise<ScenarioResult> {
  const [senderName, receiverName] = usernames(ctx.runId, 'o', 2) as [string, string];
  await ensureAccounts(ctx.target, ctx.accounts, [senderName, receiverName], ctx.password);
  const ownBefore = ownCpuSeconds();
  let errors = 0;
  const countErrors = (text: string) => {
    if (topAttr(text, 'type') === 'error') errors++;
  };

  const sender = await BenchClient.connect(ctx.target);
  await sender.login(senderName, ctx.password);
  sender.handler = countErrors;
  const prefix = `<message type='chat' to='${receiverName}@${ctx.target.domain}' id='`;
  const storeStart = performance.now();
  // Batches closed by a ping bound what is in flight: ejabberd drops a client whose process
  // queue passes max_fsm_queue (10,000 by default), which a single burst would hit.
  for (let seq = 1; seq <= options.messages; seq++) {
    sender.send(`${prefix}${seq}'><body>${seq} offline</body></message>`);
    if (seq % OFFLINE_BATCH === 0) await sender.ping();
  }
  await sender.ping();
  const storeS = (performance.now() - storeStart) / 1000;

  const receiver = await BenchClient.connect(ctx.target);
  await receiver.login(receiverName, ctx.password, { presence: false });
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  receiver.handler = (text) => {
    if (!text.startsWith('<message')) return countErrors(text);
    if (topAttr(text, 'type') === 'error') return void errors++;
    if (text.includes(' offline</body>') && ++received === options.messages) done();
  };
  const deliverStart = performance.now();
  receiver.send('<presence/>');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutS * 1000)))]);
  clearTimeout(timer);
  const deliverS = (performance.now() - deliverStart) / 1000;
  errors += [sender, receiver].filter((c) => c.failure !== undefined).length;
  await closeAll([sender, receiver]);

  return {
    scenario: 'offline',
    params: { messages: options.messages },
    metrics: {
      store_per_s: options.messages / storeS,
      store_s: storeS,
      deliver_all_s: deliverS,
      deliver_per_s: received / deliverS,
      lost: options.messages - received,
      errors,
      bench_cpu_s: ownCpuSeconds() - ownBefore,
    },
  };
}

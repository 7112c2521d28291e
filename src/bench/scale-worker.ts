// The scale scenario's load generator: a worker thread that opens its share of many idle
// sessions and holds them. One OpenSSL context per thread is shared by all its connections, and
// source addresses are spread over 127.0.0.x so 100,000 connections do not run out of ephemeral
// ports (about 28,000 per source address). A session is what a phone keeps open: STARTTLS,
// SCRAM-SHA-1, bind, XEP-0198 enabled (its <r/> answered), roster fetched, initial presence.
import tls from 'node:tls';
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { BenchClient, type Target } from './bench-client.js';
import { inParallel } from './accounts.js';
import { stanzaName } from './tokenizer.js';

/** register: XEP-0077 and close; login: an idle session as above; tls: STARTTLS and features only. */
export type ScalePhase = 'register' | 'login' | 'tls';

export interface ScaleShare {
  target: Target;
  password: string;
  names: string[];
  addresses: string[];
  concurrency: number;
  phase: ScalePhase;
}

/** What a worker reports once its share is connected (or registered). */
export interface ScaleShareResult {
  /** Connect-to-presence ms of each session that came up. */
  latencies: number[];
  /** When each came up (performance.timeOrigin + now, ms), for the login rate under load. */
  doneAt: number[];
  errors: number;
  firstError?: string;
}

const SM_NS = 'urn:xmpp:sm:3';

async function openSession(share: ScaleShare, name: string, index: number, context: tls.SecureContext): Promise<BenchClient | undefined> {
  const localAddress = share.addresses[index % share.addresses.length];
  const client = await BenchClient.connect(share.target, { secureContext: context, ...(localAddress ? { localAddress } : {}) });
  if (share.phase === 'tls') return client;
  if (share.phase === 'register') {
    await client.register(name, share.password);
    await client.close();
    return undefined;
  }
  await client.login(name, share.password, { presence: false });
  client.send(`<enable xmlns='${SM_NS}'/>`);
  const enabled = await client.next();
  if (stanzaName(enabled) !== 'enabled') throw new Error(`stream management refused: ${enabled.slice(0, 200)}`);
  // XEP-0198 §4: every stanza received after <enabled/> counts; answer the server's <r/>.
  let handled = 0;
  client.handler = (text) => {
    if (text.startsWith('<r ') || text.startsWith('<r/')) client.send(`<a xmlns='${SM_NS}' h='${handled}'/>`);
    else if (text.startsWith('<iq') || text.startsWith('<message') || text.startsWith('<presence')) handled++;
  };
  await client.iq("<iq type='get' id='roster'><query xmlns='jabber:iq:roster'/></iq>", 'roster');
  handled++; // the roster result went to the IQ waiter, not the handler
  client.send('<presence/>');
  return client;
}

async function runShare(share: ScaleShare): Promise<{ result: ScaleShareResult; clients: BenchClient[] }> {
  const context = tls.createSecureContext({});
  const clients: BenchClient[] = [];
  const result: ScaleShareResult = { latencies: [], doneAt: [], errors: 0 };
  await inParallel(share.names, share.concurrency, async (name, index) => {
    const t0 = performance.now();
    try {
      const client = await openSession(share, name, index, context);
      if (client) clients.push(client);
      const now = performance.now();
      result.latencies.push(now - t0);
      result.doneAt.push(performance.timeOrigin + now);
    } catch (error) {
      result.errors++;
      result.firstError ??= `${name}: ${(error as Error).message}`;
    }
  });
  return { result, clients };
}

if (parentPort && (workerData as { scaleShare?: ScaleShare } | null)?.scaleShare) {
  const port = parentPort;
  const { result, clients } = await runShare((workerData as { scaleShare: ScaleShare }).scaleShare);
  port.postMessage({ kind: 'ready', result });
  port.on('message', (message: string) => {
    if (message === 'count-failed') port.postMessage({ kind: 'failed', count: clients.filter((c) => c.failure !== undefined).length });
    if (message === 'close') {
      // No closing handshake: 100,000 orderly goodbyes would measure the server's logout, not idling.
      for (const client of clients) client.destroy();
      port.postMessage({ kind: 'closed' });
    }
  });
}

/** A running set of workers holding sessions until close(). */
export class ScaleFleet {
  private constructor(
    private readonly workers: Worker[],
    readonly results: ScaleShareResult[],
  ) {}

  /** Splits names over `workerCount` threads; resolves once every share is up (or failed). */
  static async start(share: ScaleShare, workerCount: number): Promise<ScaleFleet> {
    const count = Math.max(1, Math.min(workerCount, share.names.length));
    const workers: Worker[] = [];
    const results = await Promise.all(
      Array.from({ length: count }, (_, w) => {
        const mine: ScaleShare = { ...share, names: share.names.filter((_, i) => i % count === w), concurrency: Math.max(1, Math.round(share.concurrency / count)) };
        // Each worker starts on a different address so the first connections spread too.
        mine.addresses = share.addresses.map((_, i) => share.addresses[(i + w) % share.addresses.length]!);
        const worker = new Worker(new URL(import.meta.url), { workerData: { scaleShare: mine } });
        workers.push(worker);
        return awaitMessage<{ result: ScaleShareResult }>(worker, 'ready').then((m) => m.result);
      }),
    );
    return new ScaleFleet(workers, results);
  }

  /** Sessions that failed (closed or errored) since they came up. */
  async failedCount(): Promise<number> {
    const counts = await Promise.all(
      this.workers.map((w) => {
        const reply = awaitMessage<{ count: number }>(w, 'failed');
        w.postMessage('count-failed');
        return reply.then((m) => m.count);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const closed = awaitMessage(w, 'closed');
        w.postMessage('close');
        await closed;
        await w.terminate();
      }),
    );
  }
}

function awaitMessage<T>(worker: Worker, kind: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: { kind: string } & T) => {
      if (message.kind !== kind) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

// Memory readings of the server under soak: RSS from /proc/<pid>/status, V8 heap and off-heap buffers
// from the admin command process.memory; and the verdict on whether memory came back after the load.
import { adminRequest } from '../../dist/admin/admin-client.js';
import { sampleProcess } from '../../dist/bench/proc-stats.js';

const MiB = 1024 * 1024;

/**
 * "Near the baseline": after the load has stopped, every client is gone, the settle period has passed and a
 * full GC has run, live memory (heapUsed + external) is at most 20 % above the idle baseline plus 8 MiB.
 * The 20 % covers what legitimately grows with the traffic seen (the parsed-JID cache, SQLite's page cache
 * and prepared statements, TLS session tickets); the 8 MiB covers code V8 compiled and optimised during the
 * load, which is never freed. A real leak (a queue per connection that outlives it) is far bigger: the SM
 * flood alone queues tens of MiB. RSS is reported but not judged: the allocator keeps freed pages, so RSS
 * after a peak says little about what is still alive.
 */
export const HEAP_GROWTH = 1.2;
export const HEAP_SLACK_BYTES = 8 * MiB;

export async function sample(server, phase, startedAt, gc = false) {
  const asked = Date.now();
  const memory = await adminRequest(server.adminSocket, 'process.memory', { gc }, 30_000);
  const proc = sampleProcess(server.pid);
  return {
    t: Math.round((asked - startedAt) / 1000),
    // How long the server took to answer: its event loop's lag under the load (a GC's time included).
    answerMs: Date.now() - asked,
    phase,
    rss: proc.rssKiB * 1024,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    collected: memory.collected,
  };
}

export const live = (s) => s.heapUsed + s.external;

export function verdict(baseline, final) {
  const limit = live(baseline) * HEAP_GROWTH + HEAP_SLACK_BYTES;
  return { ok: live(final) <= limit, limit, baseline: live(baseline), final: live(final) };
}

export function mib(bytes) {
  return (bytes / MiB).toFixed(1);
}

/** Samples as a Markdown table, thinned to at most maxRows evenly spread rows (first and last kept). */
export function table(samples, maxRows = 24) {
  const keep = samples.length <= maxRows ? samples : Array.from({ length: maxRows }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (maxRows - 1))]);
  const rows = keep.map((s) => `| ${s.t} | ${s.phase}${s.collected ? ' (after GC)' : ''} | ${mib(s.rss)} | ${mib(s.heapUsed)} | ${mib(s.heapTotal)} | ${mib(s.external)} | ${s.answerMs} |`);
  return ['| t (s) | phase | RSS MiB | heapUsed MiB | heapTotal MiB | external MiB | answer ms |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

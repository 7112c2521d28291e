// Diagnostic preload (node --import this-file) for the cluster bench's p99 work (issue 17): when
// $HERALD_STALL_DIR is set, the process appends to <dir>/<$HERALD_STALL_LABEL or pid>.jsonl, once
// a second, what held its event loop: each timer wake-up late by more than 2 ms (a 10 ms probe:
// coarse, but 100 wake-ups a second instead of monitorEventLoopDelay's 1,000 at 1 ms resolution),
// each GC with its kind and duration, and the event loop's utilisation. Times are epoch ms, so
// scripts/bench/stall-report.mjs can line them up with the load generator's slow messages.
// Not for production.
import fs from 'node:fs';
import path from 'node:path';
import { performance, PerformanceObserver, constants } from 'node:perf_hooks';

const dir = process.env.HERALD_STALL_DIR;
if (dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.env.HERALD_STALL_LABEL ?? process.pid}.jsonl`);
  const epoch = (t) => performance.timeOrigin + t;
  const PROBE_MS = 10;
  const LATE_MS = 2;
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  };
  let stalls = [];
  let gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([Math.round(epoch(e.startTime) * 1000) / 1000, Math.round(e.duration * 1000) / 1000, kinds[e.detail?.kind] ?? String(e.detail?.kind)]);
  }).observe({ entryTypes: ['gc'] });

  let expected = performance.now() + PROBE_MS;
  let elu = performance.eventLoopUtilization();
  let lastFlush = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    // A late wake-up means the loop was busy (or the process had no CPU) since `expected`.
    if (late > LATE_MS) stalls.push([Math.round(epoch(expected) * 1000) / 1000, Math.round(late * 1000) / 1000]);
    expected = now + PROBE_MS;
    if (now - lastFlush >= 1000) {
      const used = performance.eventLoopUtilization(elu);
      elu = performance.eventLoopUtilization();
      fs.appendFileSync(file, `${JSON.stringify({ at: epoch(now), elu: Math.round(used.utilization * 1000) / 1000, stalls, gcs })}\n`);
      stalls = [];
      gcs = [];
      lastFlush = now;
    }
  }, PROBE_MS);
  probe.unref();
}

// Diagnostic preload for the server under test (node --import this-file): on SIGWINCH it appends
// one JSON line to $HERALD_HEAP_STATS_FILE with RSS, V8's heap statistics and each heap space's
// committed and used bytes; with $HERALD_HEAP_SNAPSHOT_DIR, and a file snapshot-wanted beside the stats file, it also writes a heap snapshot there; with $HERALD_HEAP_STATS_GC=1 it then runs a full GC (through V8's
// own gc(), exposed here only) and appends a second line. Used by scripts/bench/scale-marginal.mjs
// to split a session's RSS into JS heap, heap slack and what lies outside V8. Not for production.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const file = process.env.HERALD_HEAP_STATS_FILE;
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const snapshot = (label) => {
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, { committed: s.physical_space_size, used: s.space_used_size, size: s.space_size }]),
    );
    const mem = process.memoryUsage();
    fs.appendFileSync(file, `${JSON.stringify({ label, at: Date.now(), rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers, heap: v8.getHeapStatistics(), spaces })}\n`);
  };
  process.on('SIGWINCH', () => {
    snapshot('as-is');
    // A heap snapshot (it runs a full GC itself) before the line that says the request is done.
    const dir = process.env.HERALD_HEAP_SNAPSHOT_DIR;
    if (dir && fs.existsSync(`${path.dirname(file)}/snapshot-wanted`)) v8.writeHeapSnapshot(`${dir}/heap-${process.pid}-${Date.now()}.heapsnapshot`);
    if (process.env.HERALD_HEAP_STATS_GC === '1') {
      gc();
      snapshot('after-gc');
    }
  });
}

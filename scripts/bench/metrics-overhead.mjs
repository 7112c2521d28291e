// What the metrics module adds on the hot path, measured in process (the whole-server bench is
// too noisy on a shared machine to show a few hundred nanoseconds): the cost of one traffic
// notification with and without the module's counters listening, and of one storage call with
// and without timing. Run after `npm run build`:  node scripts/bench/metrics-overhead.mjs [rounds]
import { Registry } from 'prom-client';
import { createEventBus } from '../../dist/core/event-bus.js';
import { countTraffic } from '../../dist/modules/metrics/traffic.js';
import { timedStorage } from '../../dist/storage/timed-storage.js';
import { createMemoryStorage } from '../../dist/storage/memory/memory-storage.js';
import { xml } from '../../dist/xml/element.js';

const rounds = Number(process.argv[2] ?? 7);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function nsPerCall(fn, calls) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) fn();
  return Number(process.hrtime.bigint() - started) / calls;
}

async function nsPerAsyncCall(fn, calls) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) await fn();
  return Number(process.hrtime.bigint() - started) / calls;
}

const stanza = xml('message', { to: 'bob@localhost', type: 'chat' }, xml('body', null, 'hello'));
const idle = createEventBus();
const counting = createEventBus();
countTraffic({ on: (name, handler, priority) => counting.on(name, handler, priority) }, new Registry());

const storage = createMemoryStorage();
let observing = false;
const timed = timedStorage(storage, { active: () => observing, record: () => undefined });

const results = { notifyIdle: [], notifyCounting: [], storageDirect: [], storageUnobserved: [], storageTimed: [] };
for (let round = 0; round < rounds; round += 1) {
  results.notifyIdle.push(nsPerCall(() => idle.notify('c2s/stanza-in', stanza), 2_000_000));
  results.notifyCounting.push(nsPerCall(() => counting.notify('c2s/stanza-in', stanza), 2_000_000));
  results.storageDirect.push(await nsPerAsyncCall(() => storage.offline.count('a@localhost'), 200_000));
  observing = false;
  results.storageUnobserved.push(await nsPerAsyncCall(() => timed.offline.count('a@localhost'), 200_000));
  observing = true;
  results.storageTimed.push(await nsPerAsyncCall(() => timed.offline.count('a@localhost'), 200_000));
}
for (const [name, values] of Object.entries(results)) {
  console.log(`${name.padEnd(18)} median ${median(values).toFixed(1)} ns/call  (${values.map((v) => v.toFixed(1)).join(', ')})`);
}

// Archive query latency at size (XEP-0313): fills one account's archive in a fresh SQLite file
// (default 1,000,000 messages with 100 contacts, one of them in every 50th message) and times
// the pages clients ask for. Not a test. Run after `npm run build`:
//   node scripts/bench/mam-archive.mjs [messages] [runs]
// Prints one line per query: median, p95 and max in milliseconds over `runs` runs.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStorage } from '../../dist/storage/sqlite/sqlite-storage.js';
import { archiveFileFor } from '../../dist/storage/sqlite/archive-database.js';

const total = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 200);
const ACCOUNT = 'juliet@capulet.example';
const FRIEND = 'romeo@montague.example';
const BATCH = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'herald-mam-bench-'));
const file = join(dir, 'archive.sqlite');
const storage = openSqliteStorage({ file });

const peerOf = (n) => (n % 50 === 0 ? `${FRIEND}/orchard` : `friend${n % 100}@example.net/phone`);
const stanzaOf = (n, peer) =>
  `<message xmlns="jabber:client" from="${peer}" to="${ACCOUNT}/balcony" type="chat" id="m${n}">` +
  `<body>Message number ${n}: but soft, what light through yonder window breaks?</body>` +
  `<stanza-id xmlns="urn:xmpp:sid:0" by="${ACCOUNT}" id="sid-${n}"/></message>`;

const fillStart = performance.now();
for (let base = 0; base < total; base += BATCH) {
  const appends = [];
  for (let n = base; n < Math.min(total, base + BATCH); n++) {
    const peer = peerOf(n);
    appends.push(
      storage.archive.append(ACCOUNT, { id: `sid-${n}`, with: peer, direction: n % 3 === 0 ? 'out' : 'in', messageId: `m${n}`, stanza: stanzaOf(n, peer), timestamp: 1_700_000_000_000 + n * 1000 }),
    );
  }
  await Promise.all(appends);
}
const fillSeconds = (performance.now() - fillStart) / 1000;
console.log(`filled ${total.toLocaleString('en')} messages in ${fillSeconds.toFixed(1)} s (${Math.round(total / fillSeconds).toLocaleString('en')}/s), archive file ${(statSync(archiveFileFor(file)).size / 1e6).toFixed(0)} MB`);

const middle = `sid-${Math.floor(total / 2)}`;
const ids = Array.from({ length: 50 }, (_, i) => `sid-${Math.floor((total / 50) * i)}`);
const queries = {
  'latest page of 50 (RSM <before/>)': { max: 50, fromEnd: true },
  "latest page of 50 with one contact ('with')": { with: FRIEND, max: 50, fromEnd: true },
  'page of 50 before an id in the middle (before-id)': { before: [middle], max: 50, fromEnd: true },
  'page of 50 after an id in the middle (after-id)': { after: [middle], max: 50, fromEnd: false },
  "'with' page of 50 before an id in the middle": { with: FRIEND, before: [middle], max: 50, fromEnd: true },
  'oldest page of 50': { max: 50, fromEnd: false },
  'start/end: a day in the middle, latest 50': { start: 1_700_000_000_000 + (total / 2) * 1000, end: 1_700_000_000_000 + (total / 2 + 86_400) * 1000, max: 50, fromEnd: true },
  '50 messages by ids': { ids, max: 50, fromEnd: false },
};

for (const [name, query] of Object.entries(queries)) {
  const times = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const page = await storage.archive.query(ACCOUNT, query);
    times.push(performance.now() - start);
    size = page.messages.length;
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3);
  console.log(`${name.padEnd(52)} ${String(size).padStart(3)} msgs  median ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`);
}

await storage.close();
rmSync(dir, { recursive: true, force: true });

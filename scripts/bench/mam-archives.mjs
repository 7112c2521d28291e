// Filling each server's own message archive for `npm run bench -- --mam`, as fast as its storage
// allows, and timing the pages clients ask for over XMPP. Each fill returns the archive id of the
// message in the middle (for the before-id page). Herald and Prosody are filled by SQL inserts
// into their own schema while they are stopped; ejabberd's default storage (Mnesia) has no SQL,
// so it is filled through ejabberd itself: one account sends the messages to the other.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openArchiveDatabase } from '../../dist/storage/sqlite/archive-database.js';
import { BenchClient } from '../../dist/bench/bench-client.js';
import { DOMAIN } from './servers.mjs';

export const OWNER = 'mamowner';
export const FRIEND = 'mamfriend';
export const PASSWORD = 'bench-secret-1';
const T0_MS = 1_700_000_000_000;
const BATCH = 10_000;

/** The other party of message n: FRIEND in every 50th, else one of 100 others. */
const peerOf = (n) => (n % 50 === 0 ? `${FRIEND}@${DOMAIN}` : `contact${n % 100}@${DOMAIN}`);
const stanzaOf = (n, peer) =>
  `<message xmlns="jabber:client" from="${peer}/phone" to="${OWNER}@${DOMAIN}/desk" type="chat" id="m${n}">` +
  `<body>Message number ${n}: but soft, what light through yonder window breaks?</body></message>`;

/** What the friend's client sends (the server adds from). */
const sentStanzaOf = (n) =>
  `<message to="${OWNER}@${DOMAIN}" type="chat" id="m${n}"><body>Message number ${n}: but soft, what light through yonder window breaks?</body></message>`;

function inBatches(total, insertOne, transaction) {
  for (let base = 0; base < total; base += BATCH) transaction(() => {
    for (let n = base; n < Math.min(total, base + BATCH); n++) insertOne(n);
  });
}

/** Herald: rows into herald-archive.sqlite (storage/sqlite/archive-database.ts), before start. */
export function fillHerald(dataDir, total) {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openArchiveDatabase(path.join(dataDir, 'herald-archive.sqlite'));
  db.prepare('INSERT INTO archive_accounts (jid) VALUES (?)').run(`${OWNER}@${DOMAIN}`);
  const account = db.prepare('SELECT id FROM archive_accounts WHERE jid = ?').get(`${OWNER}@${DOMAIN}`).id;
  const insert = db.prepare('INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, stanza, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  inBatches(total, (n) => {
    const peer = peerOf(n);
    insert.run(account, `sid-${n}`, peer, `${peer}/phone`, 'in', `m${n}`, stanzaOf(n, peer), (T0_MS + n) * 1000);
  }, (work) => db.transaction(work).immediate());
  db.close();
  return `sid-${Math.floor(total / 2)}`;
}

/** Prosody: rows into mod_storage_sql's prosodyarchive (created by a first start), as mod_mam writes them. */
export function fillProsody(sqliteFile, total) {
  const db = new Database(sqliteFile);
  const insert = db.prepare('INSERT INTO "prosodyarchive" ("host", "user", "store", "when", "with", "key", "type", "value") VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  inBatches(total, (n) => {
    const peer = peerOf(n);
    insert.run(DOMAIN, OWNER, 'archive', Math.floor((T0_MS + n) / 1000), peer, `k${n}`, 'xml', stanzaOf(n, peer));
  }, (work) => db.transaction(work).immediate());
  db.close();
  return `k${Math.floor(total / 2)}`;
}

/**
 * ejabberd (Mnesia): the friend sends the messages to the owner, who is online and collects
 * the stanza-ids; stops at `budgetS` seconds. Resolves with how many were archived and the id
 * of the middle one.
 */
export async function fillThroughServer(target, total, budgetS, log) {
  const owner = await BenchClient.connect(target);
  await owner.login(OWNER, PASSWORD);
  const friend = await BenchClient.connect(target);
  await friend.login(FRIEND, PASSWORD);
  const ids = [];
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  owner.handler = (text) => {
    if (!text.startsWith('<message')) return;
    ids.push(/<stanza-id[^>]*\sid=['"]([^'"]+)['"]/.exec(text)?.[1]);
    if (ids.length === sent) resolveDone();
  };
  const started = performance.now();
  let sent = 0;
  const WINDOW = 200;
  while (sent < total && performance.now() - started < budgetS * 1000) {
    const chunk = Math.min(WINDOW, total - sent);
    for (let i = 0; i < chunk; i++) friend.send(sentStanzaOf(sent + i));
    sent += chunk;
    while (ids.length < sent - WINDOW) await new Promise((resolve) => setTimeout(resolve, 5));
    if (sent % 50_000 < WINDOW) log(`ejabberd: ${sent.toLocaleString('en')} messages sent in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  if (ids.length < sent) await done;
  const seconds = (performance.now() - started) / 1000;
  await owner.close();
  await friend.close();
  return { archived: sent, seconds, middle: ids[Math.floor(sent / 2)] };
}

const rsm = (inner) => `<set xmlns='http://jabber.org/protocol/rsm'><max>50</max>${inner}</set>`;
const withForm = `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field><field var='with'><value>${FRIEND}@${DOMAIN}</value></field></x>`;

/** The pages timed: latest, latest with one contact, and the page before the middle message. */
export function archiveQueries(middleId) {
  return {
    'mam-latest-page': rsm('<before/>'),
    'mam-with-page': withForm + rsm('<before/>'),
    'mam-before-id-page': rsm(`<before>${middleId}</before>`),
  };
}

/** Times each query `runs` times over one logged-in session; medians in ms, and results per page. */
export async function timeQueries(target, queries, runs) {
  const client = await BenchClient.connect(target);
  await client.login(OWNER, PASSWORD);
  const out = {};
  try {
    for (const [name, inner] of Object.entries(queries)) {
      const times = [];
      let results = 0;
      for (let i = 0; i < runs; i++) {
        let count = 0;
        client.handler = (text) => {
          if (text.startsWith('<message') && text.includes('urn:xmpp:mam:2')) count++;
        };
        const id = `${name}-${i}`;
        const start = performance.now();
        const reply = await client.iq(`<iq type='set' id='${id}'><query xmlns='urn:xmpp:mam:2' queryid='${id}'>${inner}</query></iq>`, id);
        times.push(performance.now() - start);
        if (!reply.includes("type='result'") && !reply.includes('type="result"')) throw new Error(`${name}: ${reply.slice(0, 300)}`);
        results = count;
      }
      times.sort((a, b) => a - b);
      out[name] = { median_ms: times[Math.floor(times.length / 2)], p90_ms: times[Math.floor(times.length * 0.9)], results_per_page: results };
    }
  } finally {
    client.handler = undefined;
    await client.close();
  }
  return out;
}

// The well-behaved part of the soak: chat between online pairs, logins and logouts, messages to
// offline users followed by their logins. Every loop stops at the deadline; every wait is bounded
// (BenchClient gives up on an answer after 30 s).
import { BenchClient } from '../../dist/bench/bench-client.js';
import { topAttr } from '../../dist/bench/tokenizer.js';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connectAndLogin(target, name, password, options = {}) {
  const client = await BenchClient.connect(target);
  await client.login(name, password, options);
  return client;
}

/** Runs `round` again and again until the deadline; a failed round is counted and the loop goes on. */
export async function untilDeadline(deadline, stats, key, round) {
  while (Date.now() < deadline) {
    try {
      await round();
    } catch (error) {
      stats.roundErrors[key] = (stats.roundErrors[key] ?? 0) + 1;
      stats.lastError[key] = String(error?.message ?? error).slice(0, 200);
      await sleep(200);
    }
  }
}

/** Pairs chatting both ways at `rate` messages per second per client; returns a function that ends the chat and counts. */
export async function startChat(target, names, password, rate, stats) {
  const clients = [];
  for (const name of names) clients.push(await connectAndLogin(target, name, password));
  const sent = new Array(clients.length).fill(0);
  const received = new Array(clients.length).fill(0);
  clients.forEach((client, i) => {
    client.handler = (text) => {
      if (text.startsWith('<message') && text.includes('soak-chat')) {
        if (topAttr(text, 'type') === 'error') stats.chatErrors++;
        else received[i]++;
      }
    };
  });
  const partner = (i) => (i % 2 === 0 ? i + 1 : i - 1);
  let running = true;
  const lane = async (client, i) => {
    const to = clients[partner(i)].jid.split('/')[0];
    const perTick = Math.max(1, Math.round(rate / 10));
    while (running) {
      for (let k = 0; k < perTick; k++) client.send(`<message type='chat' to='${to}' id='c${++sent[i]}'><body>soak-chat ${sent[i]}</body></message>`);
      if (sent[i] % (perTick * 10) === 0) await client.ping();
      else await sleep(100);
    }
    await client.ping();
  };
  // A lane that fails (no answer to a ping within 30 s, the stream closed) is counted, not fatal.
  const lanes = clients.map((client, i) =>
    lane(client, i).catch((error) => {
      stats.roundErrors.chat = (stats.roundErrors.chat ?? 0) + 1;
      stats.lastError.chat = String(error?.message ?? error).slice(0, 200);
    }),
  );
  return async function stop() {
    running = false;
    await Promise.allSettled(lanes);
    // Everything each sender sent was processed (its ping came back); give delivery a bounded moment.
    const total = () => sent.reduce((a, b) => a + b, 0);
    const got = () => received.reduce((a, b) => a + b, 0);
    for (let waited = 0; got() < total() && waited < 10_000; waited += 100) await sleep(100);
    stats.chatSent = total();
    stats.chatReceived = got();
    stats.chatFailedClients = clients.filter((c) => c.failure).length;
    await Promise.allSettled(clients.map((c) => c.close()));
  };
}

/** One login, initial presence, one message, logout. */
export async function churnRound(target, name, password, chatPeer, stats) {
  const client = await connectAndLogin(target, name, password);
  client.send(`<message type='chat' to='${chatPeer}' id='churn'><body>soak-churn</body></message>`);
  await client.ping();
  await client.close();
  stats.logins++;
}

/** `count` messages to an offline user, then that user logs in and must get every one. */
export async function offlineRound(target, sender, recipientName, password, count, stats) {
  const to = `${recipientName}@${target.domain}`;
  const tag = `soak-offline-${Date.now()}`;
  for (let i = 1; i <= count; i++) {
    sender.send(`<message type='chat' to='${to}' id='o${i}'><body>${tag} ${i}</body></message>`);
    if (i % 100 === 0) await sender.ping();
  }
  await sender.ping();
  // Counted once the recipient is in: a login that fails is a failed round (reported as such), and what was
  // stored for it is delivered at a later login, outside this count.
  const recipient = await connectAndLogin(target, recipientName, password, { presence: false });
  stats.offlineSent += count;
  let got = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  recipient.handler = (text) => {
    if (text.startsWith('<message') && text.includes(tag) && ++got === count) done();
  };
  recipient.send('<presence/>');
  let timer;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
  clearTimeout(timer);
  stats.offlineReceived += got;
  await recipient.close();
}

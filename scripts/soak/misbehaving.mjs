// The misbehaving clients of the soak, each a loop of bounded rounds until the deadline:
// a client that never reads, a XEP-0198 client that never acknowledges, a presence/IQ flooder
// and slow-loris connections that send their stream header one byte a second.
import net from 'node:net';
import { connectAndLogin, sleep } from './load.mjs';

const filler = (bytes) => 'x'.repeat(bytes);

/** Sends `count` messages of about `bytes` each to `to`, a ping every 100 so the sender's own queue stays bounded. */
async function flood(sender, to, count, bytes, tag) {
  const body = filler(bytes);
  for (let i = 1; i <= count; i++) {
    sender.send(`<message type='chat' to='${to}' id='${tag}${i}'><body>${body}</body></message>`);
    if (i % 100 === 0) await sender.ping();
  }
  await sender.ping();
}

/**
 * A recipient that logs in, then stops reading its socket while `count` messages of 8 KiB are sent to it:
 * 2,000 of them (the default) are 16 MiB, more than its connection buffers. Herald slows the sender
 * once the recipient's queue is full (it stops reading the sender), so the flood is written without
 * waiting for pings; when the recipient leaves, what it held goes to offline storage (or back as
 * errors) and the sender's ping is answered.
 */
export async function neverReaderRound(target, victimName, sender, password, count, stats) {
  const victim = await connectAndLogin(target, victimName, password, { presence: false });
  // BenchClient keeps its socket to itself; the soak reaches in, since "stop reading" is the whole point.
  victim.socket.pause();
  try {
    const body = filler(8192);
    for (let i = 1; i <= count; i++) sender.send(`<message type='chat' to='${victim.jid}' id='nr${i}'><body>${body}</body></message>`);
    await sleep(2000); // a load generator's pause: long enough for the recipient's queue to fill
  } finally {
    victim.destroy();
  }
  await sender.ping();
  stats.neverReaderSent += count;
}

/**
 * A XEP-0198 client that enables resumption, reads everything, never acknowledges, then vanishes (hibernates).
 * It is sent 3 × `count` messages of 512 B: with the default count, 6,000, past ejabberd's 5,000 unacknowledged.
 */
export async function smNoAckRound(target, victimName, sender, password, count, stats) {
  count *= 3;
  const victim = await connectAndLogin(target, victimName, password, { presence: false });
  victim.handler = () => undefined; // <r/> requests and messages alike: read, never answered
  victim.send("<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  try {
    await flood(sender, victim.jid, count, 512, 'sm');
    stats.smNoAckSent += count;
  } finally {
    victim.destroy();
  }
}

/** Presence updates and pings as fast as the socket takes them, `count` per round, then a ping to see it served. */
export async function flooderRound(target, name, password, count, stats) {
  const client = await connectAndLogin(target, name, password);
  client.handler = () => undefined;
  try {
    for (let i = 0; i < count; i++) {
      client.send(i % 2 === 0 ? `<presence><status>flood ${i}</status></presence>` : `<iq type='get' id='f${i}' to='${target.domain}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    }
    stats.flooderSent += count;
    await client.ping();
  } finally {
    await client.close();
  }
}

/** `count` connections sending a stream header one byte a second until the server closes them or the deadline. */
export async function slowLoris(target, count, deadline, stats) {
  const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${target.domain}' version='1.0'>`;
  const one = async () => {
    while (Date.now() < deadline) {
      stats.lorisOpened++;
      const socket = net.connect({ host: target.host, port: target.port });
      socket.on('error', () => undefined);
      socket.resume(); // read and discard whatever the server sends
      let closed = false;
      socket.once('close', () => (closed = true));
      // The header a byte at a time, then a white-space keepalive a second: never a complete negotiation.
      for (let i = 0; !closed && Date.now() < deadline; i++) {
        socket.write(i < header.length ? header[i] : ' ');
        await sleep(1000);
      }
      if (closed) stats.lorisClosedByServer++;
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: count }, one));
}

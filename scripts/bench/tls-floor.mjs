#!/usr/bin/env node
// The floor for a Node.js server's memory per session: a bare TLS endpoint that does only what
// every XMPP session needs before login (stream header, STARTTLS, a TLSSocket on the same
// certificate) and then holds the connection. `npm run bench:scale` runs the scale scenario's
// `tls` phase against it, so Herald's KiB per session is compared with this in the same run.
// Usage: node scripts/bench/tls-floor.mjs CERT KEY → prints {"port":…} once listening.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const [certFile, keyFile] = process.argv.slice(2);
const context = tls.createSecureContext({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='f' version='1.0'>";
const features = (inner) => `${header}<stream:features>${inner}</stream:features>`;

const server = net.createServer({ noDelay: true }, (socket) => {
  let text = '';
  const onPlain = (chunk) => {
    text += chunk.toString('latin1');
    if (text.includes('<stream:stream')) {
      socket.write(features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"));
      text = text.slice(text.indexOf('<stream:stream') + 1);
    }
    if (!text.includes('<starttls')) return;
    socket.off('data', onPlain);
    socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    const secured = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    secured.on('error', () => secured.destroy());
    // After the TLS stream's header, answer with empty features and hold the session.
    secured.once('data', () => secured.write(features('')));
  };
  socket.on('data', onPlain);
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));

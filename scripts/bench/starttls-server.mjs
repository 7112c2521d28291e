// The plaintext start every bench floor shares (scripts/bench/tls-floor.mjs, tls-relay.mjs): a
// stream header, STARTTLS offered as required, <proceed/>, then a server-side TLSSocket on the
// same connection, handed to `onSecured`. Prints {"port":…} once listening on a loopback port.
import net from 'node:net';
import tls from 'node:tls';

/** The header of the server's stream, and its features wrapped in it. */
export const streamHeader = (domain, id) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='${domain}' id='${id}' version='1.0'>`;
export const withFeatures = (header, inner) => `${header}<stream:features>${inner}</stream:features>`;

export function listenStartTls(secureContext, header, onSecured) {
  const server = net.createServer({ noDelay: true }, (socket) => {
    let text = '';
    const onPlain = (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('<stream:stream')) {
        socket.write(withFeatures(header, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"));
        text = text.slice(text.indexOf('<stream:stream') + 1);
      }
      if (!text.includes('<starttls')) return;
      socket.off('data', onPlain);
      socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secured.on('error', () => secured.destroy());
      onSecured(secured);
    };
    socket.on('data', onPlain);
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
  return server;
}

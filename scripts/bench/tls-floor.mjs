#!/usr/bin/env node
// The floor for a Node.js server's memory per session: a bare TLS endpoint that does only what
// every XMPP session needs before login (stream header, STARTTLS, a TLSSocket on the same
// certificate) and then holds the connection. `npm run bench:scale` runs the scale scenario's
// `tls` phase against it, so Herald's KiB per session is compared with this in the same run.
// Usage: node scripts/bench/tls-floor.mjs CERT KEY → prints {"port":…} once listening.
import fs from 'node:fs';
import tls from 'node:tls';
import { listenStartTls, streamHeader, withFeatures } from './starttls-server.mjs';

const [certFile, keyFile] = process.argv.slice(2);
const context = tls.createSecureContext({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
const header = streamHeader('localhost', 'f');

// After the TLS stream's header, answer with empty features and hold the session.
listenStartTls(context, header, (secured) => secured.once('data', () => secured.write(withFeatures(header, ''))));

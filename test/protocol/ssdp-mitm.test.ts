// XEP-0474 SCRAM downgrade protection against a real man in the middle: a proxy that holds a
// certificate the client accepts strips the -PLUS mechanisms and the XEP-0440 binding list from
// the features on the wire. The client sees an ordinary offer, but the server's h= in
// server-first covers what the server really offered, so the client's check fails.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectDirectTls } from '../harness/login.js';
import { sasl2Offer, sasl2Scram } from '../harness/sasl2.js';
import { TlsRewriteProxy } from '../harness/tls-rewrite-proxy.js';

let server: ServerProcess;
let proxy: TlsRewriteProxy;

const stripPlus = (features: string): string =>
  features.replace(/<mechanism>[A-Z0-9-]+-PLUS<\/mechanism>/g, '').replace(/<sasl-channel-binding[^>]*>.*?<\/sasl-channel-binding>/s, '');

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  const certs = path.join(server.dir, 'certs');
  proxy = await TlsRewriteProxy.start({ targetPort: server.ports.directTls, certFile: path.join(certs, 'localhost.crt'), keyFile: path.join(certs, 'localhost.key'), rewriteFeatures: stripPlus });
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0474 against a man in the middle', () => {
  it('XEP-0474 §4.2: the client detects -PLUS mechanisms stripped on the wire (SASL2, SCRAM-SHA-256)', async () => {
    const { client, features } = await connectDirectTls(proxy.port);
    const seen = sasl2Offer(features);
    expect(seen.mechanisms).toContain('SCRAM-SHA-256');
    expect(seen.mechanisms.some((m) => m.endsWith('-PLUS'))).toBe(false);
    await expect(sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw', downgradeProtection: seen })).rejects.toThrow(/XEP-0474: downgrade detected/);
    client.destroy();
  });

  it('XEP-0474 §4.2: untouched features pass the same check through the same proxy', async () => {
    const honest = await TlsRewriteProxy.start({
      targetPort: server.ports.directTls,
      certFile: path.join(server.dir, 'certs', 'localhost.crt'),
      keyFile: path.join(server.dir, 'certs', 'localhost.key'),
      rewriteFeatures: (f) => f,
    });
    try {
      const { client, features } = await connectDirectTls(honest.port);
      const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw', downgradeProtection: sasl2Offer(features) });
      expect(result.outcome.name).toBe('success');
      client.destroy();
    } finally {
      await honest.stop();
    }
  });
});

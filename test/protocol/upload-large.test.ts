// XEP-0363 with a 2 GiB file, generated as a stream: the upload is written to disk as it arrives,
// so the server's memory stays flat (a correctness bound, not a timing). Slow: ~1-2 minutes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { httpRequest, onLoopback, requestSlot, slotUrls } from '../harness/upload.js';

const GiB = 1024 * 1024 * 1024;
const SIZE = 2 * GiB;
const CHUNK = 1024 * 1024;
const MAX_GROWTH_BYTES = 200 * 1024 * 1024;
let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: ['modules:', '  upload:', `    options: { maxFileBytes: ${SIZE}, quotaBytes: ${3 * GiB} }`].join('\n'),
  });
  await server.addUser('alice@localhost', 'pw');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** Peak resident memory of the server process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

/** `size` bytes that differ from chunk to chunk, hashed as they are produced. */
function generated(size: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  const block = Buffer.alloc(CHUNK);
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(CHUNK, size - sent);
      block.writeUInt32BE(sent / CHUNK, 0);
      const chunk = Buffer.from(block.subarray(0, n));
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
}

function downloadHash(url: string): Promise<{ status: number; bytes: number; digest: string }> {
  return new Promise((resolve, reject) => {
    https.get(onLoopback(url), { rejectUnauthorized: false }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, digest: hash.digest('hex') }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('XEP-0363 large files', () => {
  it('XEP-0363 §5: a 2 GiB upload is streamed to disk with flat server memory, and downloads intact', async () => {
    const { client } = await login(server.ports.c2s, 'alice', 'pw', 'big');
    const { put, get } = slotUrls(await requestSlot(client, 'upload.localhost', { filename: 'big.bin', size: SIZE, contentType: 'application/octet-stream' }));
    const pid = server.child.pid!;
    const before = peakRss(pid);
    const sent = createHash('sha256');
    const stored = await httpRequest('PUT', put, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE }, body: generated(SIZE, sent) });
    expect(stored.status).toBe(201);
    const fetched = await downloadHash(get);
    expect(fetched.status).toBe(200);
    expect(fetched.bytes).toBe(SIZE);
    expect(fetched.digest).toBe(sent.digest('hex'));
    expect(peakRss(pid) - before).toBeLessThan(MAX_GROWTH_BYTES);
    client.destroy();
  }, 600_000);
});

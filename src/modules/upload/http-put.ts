// XEP-0363 §5: the PUT that fills a slot. Its token, size and content type must be the slot's;
// the body is streamed to disk (memory stays flat whatever the size) and counted, and the file
// becomes visible only once complete.
import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../../http/http-routes.js';
import { plainAnswer } from '../../http/http-listener.js';
import type { UploadRepository, UploadSlot } from '../../storage/types.js';
import type { UploadFiles } from './files.js';

export interface PutContext {
  uploads: UploadRepository;
  files: UploadFiles;
  expireAfterMs: number;
  now(): number;
}

/** Passes bytes through and fails once more than `limit` went by. */
class ByteLimit extends Transform {
  count = 0;
  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) done(new Error('body longer than the slot'));
    else done(null, chunk);
  }
}

function sameToken(given: string | null, slot: UploadSlot): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(slot.putToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why this PUT may not fill the slot, as [status, text]; undefined when it may. */
function refusal(request: HttpRequest, slot: UploadSlot | undefined, now: number): [number, string] | undefined {
  if (!slot) return [404, 'no such upload slot; request a new one'];
  if (!sameToken(request.url.searchParams.get('token'), slot)) return [403, 'this URL does not authorise an upload; use the PUT URL of your slot'];
  if (slot.uploadedAt !== undefined) return [409, 'this slot was already used; request a new one'];
  if (now > slot.putDeadline) return [410, 'this slot expired before the upload started; request a new one'];
  const length = request.req.headers['content-length'];
  if (length === undefined || length !== String(slot.size)) return [400, `Content-Length must be ${slot.size}, the size the slot was requested for`];
  const type = request.req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && type !== slot.contentType) return [400, `Content-Type must be ${slot.contentType}, as the slot was requested for`];
  return undefined;
}

export async function handlePut(ctx: PutContext, request: HttpRequest, id: string): Promise<void> {
  const slot = await ctx.uploads.get(id);
  const refused = refusal(request, slot, ctx.now());
  if (refused || !slot) {
    // The connection cannot be reused after a refused body that was not read.
    request.res.setHeader('Connection', 'close');
    return plainAnswer(request.res, refused![0], `${refused![1]}\n`);
  }
  await ctx.files.ensureDir();
  const partial = ctx.files.partial(id);
  const limit = new ByteLimit(slot.size);
  try {
    // 'wx': a second PUT racing for the same slot fails here instead of writing into the same file.
    // flush: fsync before close, so 201 is never said for bytes still only in the page cache.
    await pipeline(request.req, limit, fs.createWriteStream(partial, { flags: 'wx', mode: 0o600, flush: true }));
  } catch (error) {
    await fs.promises.rm(partial, { force: true }).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return plainAnswer(request.res, 409, 'this slot is being uploaded already\n');
    if (!request.res.headersSent && !request.res.destroyed) {
      request.res.setHeader('Connection', 'close');
      return plainAnswer(request.res, limit.count > slot.size ? 413 : 400, `the upload did not complete: ${slot.size} bytes expected\n`);
    }
    return;
  }
  if (limit.count !== slot.size) {
    await fs.promises.rm(partial, { force: true });
    return plainAnswer(request.res, 400, `received ${limit.count} bytes, expected ${slot.size}\n`);
  }
  await ctx.files.publish(id);
  const now = ctx.now();
  if (!(await ctx.uploads.markUploaded(id, now, now + ctx.expireAfterMs))) {
    await ctx.files.remove(id);
    return plainAnswer(request.res, 409, 'this slot was already used; request a new one\n');
  }
  request.res.writeHead(201, { 'Content-Length': 0 });
  request.res.end();
}

// XEP-0363 §5: serving an uploaded file: its declared type, as an attachment unless it is an
// image or a video a client shows inline, with byte ranges (RFC 9110 §14) for resumed and
// streamed downloads. Uploaded content is someone else's: the headers stop a browser from
// running it as part of this origin.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { HttpRequest } from '../../http/http-routes.js';
import { plainAnswer } from '../../http/http-listener.js';
import type { UploadRepository, UploadSlot } from '../../storage/types.js';
import type { UploadFiles } from './files.js';

export interface GetContext {
  uploads: UploadRepository;
  files: UploadFiles;
  now(): number;
}

/** The single range of `bytes=a-b`, `a-` or `-n` within `size`; 'unsatisfiable', or undefined for the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges (multipart answers) are not offered: the whole file is a valid answer to them.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function inline(contentType: string): boolean {
  // SVG is an image that can carry script: it is downloaded, not shown.
  return (contentType.startsWith('image/') && contentType !== 'image/svg+xml') || contentType.startsWith('video/');
}

function headersFor(slot: UploadSlot): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': slot.contentType,
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    // The URL names one file forever; clients may keep it as long as it lives.
    'Cache-Control': `public, max-age=${Math.max(0, Math.floor((slot.expiresAt - Date.now()) / 1000))}, immutable`,
  };
  if (!inline(slot.contentType)) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(slot.filename)}`;
  return headers;
}

export async function handleGet(ctx: GetContext, request: HttpRequest, id: string): Promise<void> {
  const slot = await ctx.uploads.get(id);
  if (!slot || slot.uploadedAt === undefined || slot.expiresAt <= ctx.now()) return plainAnswer(request.res, 404, 'no such file (it may have expired)\n');
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(ctx.files.final(id), 'r');
  } catch {
    return plainAnswer(request.res, 404, 'no such file (it may have expired)\n');
  }
  try {
    const { size } = await handle.stat();
    const range = parseRange(request.req.headers.range, size);
    if (range === 'unsatisfiable') {
      return plainAnswer(request.res, 416, `the file has ${size} bytes\n`, { 'Content-Range': `bytes */${size}` });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const headers = { ...headersFor(slot), 'Content-Length': String(end - start + 1) };
    if (range) request.res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` });
    else request.res.writeHead(200, headers);
    if (request.req.method === 'HEAD' || size === 0) return void request.res.end();
    await pipeline(handle.createReadStream({ start, end, autoClose: false }), request.res);
  } catch (error) {
    // The client went away mid-download: nothing to answer.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  } finally {
    await handle.close();
  }
}

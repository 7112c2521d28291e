// XEP-0363 §4: a client asks for a slot (file name, size, content type) and gets a PUT and a GET
// URL. Quotas are checked and the slot stored in one storage step.
import { randomBytes } from 'node:crypto';
import { xml, type Element } from '../../xml/element.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { Jid } from '../../protocol/jid.js';
import type { UploadRepository, UploadSlot } from '../../storage/types.js';
import type { UploadOptions } from './options.js';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';
/** What a served Content-Type may look like (type/subtype, no parameters): no header injection. */
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const MAX_FILENAME_CHARS = 255;

export interface SlotRequestContext {
  uploads: UploadRepository;
  options: UploadOptions;
  now: number;
  /** The URL files of this domain are served under, without a trailing slash. */
  baseUrl: string;
}

function fileTooLarge(max: number): StanzaError {
  return new StanzaError(
    'not-acceptable',
    `the file is larger than the ${max} bytes this server accepts`,
    'modify',
    xml('file-too-large', { xmlns: NS_UPLOAD }, xml('max-file-size', null, String(max))),
  );
}

/** The file's name as the URL will carry it: its last path part, at most 255 characters. */
function cleanFilename(raw: string | undefined): string {
  const name = (raw ?? '').split(/[/\\]/).pop()!.trim();
  if (name === '' || name === '.' || name === '..') throw new StanzaError('bad-request', "the request needs a 'filename' attribute naming the file");
  if ([...name].length > MAX_FILENAME_CHARS) throw new StanzaError('not-acceptable', `the file name is longer than ${MAX_FILENAME_CHARS} characters`, 'modify');
  return name;
}

export function fileUrl(baseUrl: string, slot: UploadSlot): string {
  return `${baseUrl}/upload/${slot.id}/${encodeURIComponent(slot.filename)}`;
}

export async function requestSlot(ctx: SlotRequestContext, owner: Jid, request: Element): Promise<Element> {
  const filename = cleanFilename(request.attrs.filename as string | undefined);
  const sizeText = request.attrs.size as string | undefined;
  if (sizeText === undefined || !/^\d{1,16}$/.test(sizeText) || Number(sizeText) === 0) {
    throw new StanzaError('bad-request', "the request needs a 'size' attribute: the file's size in bytes, at least 1");
  }
  const size = Number(sizeText);
  if (size > ctx.options.maxFileBytes) throw fileTooLarge(ctx.options.maxFileBytes);
  const contentType = ((request.attrs['content-type'] as string | undefined) ?? 'application/octet-stream').trim().toLowerCase();
  if (!CONTENT_TYPE.test(contentType)) throw new StanzaError('bad-request', `'${contentType}' is not a content type such as image/jpeg`);

  const slot: UploadSlot = {
    id: randomBytes(18).toString('base64url'),
    owner: owner.toBareString(),
    filename,
    size,
    contentType,
    putToken: randomBytes(24).toString('base64url'),
    createdAt: ctx.now,
    putDeadline: ctx.now + ctx.options.putWindowSeconds * 1000,
    // Until the file arrives the slot holds its share of the quota; markUploaded sets the real expiry.
    expiresAt: ctx.now + ctx.options.expireAfterSeconds * 1000,
  };
  if (!(await ctx.uploads.reserve(slot, ctx.options.quotaBytes, ctx.now))) {
    throw new StanzaError('resource-constraint', `your uploads would pass your quota of ${ctx.options.quotaBytes} bytes; files are deleted ${ctx.options.expireAfterSeconds} seconds after upload`, 'wait');
  }
  const url = fileUrl(ctx.baseUrl, slot);
  return xml('slot', { xmlns: NS_UPLOAD }, xml('put', { url: `${url}?token=${slot.putToken}` }), xml('get', { url }));
}

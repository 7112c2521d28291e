// The one shape of a stored inbound subscription request, shared by the roster module (which
// builds it from a stanza) and the storage backends (which count its bytes against the limit).
import type { PendingRequest } from './types.js';

/**
 * Longest <status/> kept, in characters. A request's status is a short "please add me"; a remote
 * server could otherwise park a 256 KiB stanza per invented JID in the user's account.
 */
export const PENDING_STATUS_MAX_CHARS = 512;
/** Longest XEP-0172 nickname kept, in characters. */
export const PENDING_NICK_MAX_CHARS = 64;

function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed.length <= max) return trimmed;
  // By code points, so a character outside the BMP is never cut in half; 2 × max UTF-16 units
  // hold at least max whole code points, so a huge status is never split into an array whole.
  const chars = [...trimmed.slice(0, 2 * max)];
  return chars.length <= max ? chars.join('') : chars.slice(0, max).join('');
}

/** The request as it is stored: status and nick trimmed, empty ones left out. */
export function pendingRequest(jid: string, status: string | undefined, nick: string | undefined): PendingRequest {
  const request: PendingRequest = { jid };
  const keptStatus = clip(status, PENDING_STATUS_MAX_CHARS);
  const keptNick = clip(nick, PENDING_NICK_MAX_CHARS);
  // exactOptionalPropertyTypes: absent, never undefined.
  if (keptStatus !== undefined) request.status = keptStatus;
  if (keptNick !== undefined) request.nick = keptNick;
  return request;
}

/** What a request costs against the account's byte limit: the UTF-8 bytes it stores. */
export function pendingRequestBytes(request: PendingRequest): number {
  return Buffer.byteLength(request.jid) + Buffer.byteLength(request.status ?? '') + Buffer.byteLength(request.nick ?? '');
}

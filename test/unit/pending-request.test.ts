// What is kept of a subscription request (storage/pending-requests.ts).
import { describe, expect, it } from 'vitest';
import { PENDING_NICK_MAX_CHARS, PENDING_STATUS_MAX_CHARS, pendingRequest, pendingRequestBytes } from '../../src/storage/pending-requests.js';

describe('pendingRequest', () => {
  it('trims status and nick by code points, never splitting a character outside the BMP', () => {
    const face = '\u{1F600}';
    const request = pendingRequest('a@example.org', `a${face.repeat(PENDING_STATUS_MAX_CHARS)}`, face.repeat(100));
    expect([...request.status!]).toHaveLength(PENDING_STATUS_MAX_CHARS);
    expect(request.status!.endsWith(face)).toBe(true);
    expect([...request.nick!]).toHaveLength(PENDING_NICK_MAX_CHARS);
  });

  it('leaves out empty or blank texts and keeps short ones as they are (without outer blanks)', () => {
    expect(pendingRequest('a@example.org', '  ', '')).toEqual({ jid: 'a@example.org' });
    expect(pendingRequest('a@example.org', ' hi ', 'Al')).toEqual({ jid: 'a@example.org', status: 'hi', nick: 'Al' });
  });

  it('costs the UTF-8 bytes of contact, status and nick', () => {
    expect(pendingRequestBytes({ jid: 'a@example.org', status: '\u00e9', nick: '\u{1F600}' })).toBe(13 + 2 + 4);
  });
});

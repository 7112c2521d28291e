// The bench's read path: splits an XMPP stream into top-level stanza texts without building
// trees, so the load generator spends its CPU on sending, not on parsing what comes back.
// It trusts the server to send well-formed XML; it only tracks tag depth (and quotes inside
// tags, where '>' may legally appear) to find stanza boundaries. Stream restarts (STARTTLS, SASL)
// need no reset: a new <stream:stream> at depth 0 is recognised as a header again.
import { StringDecoder } from 'node:string_decoder';

export interface TokenizerEvents {
  /** The opening <stream:stream ...> tag. */
  onHeader?(tag: string): void;
  /** One complete top-level element, as text. */
  onStanza(text: string): void;
  /** </stream:stream>. */
  onEnd?(): void;
}

export class StanzaTokenizer {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Where scanning resumes in buffer. */
  private pos = 0;
  /** Start of the current top-level element in buffer, or -1 between stanzas. */
  private start = -1;
  private depth = 0;

  constructor(private readonly events: TokenizerEvents) {}

  feed(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const buf = this.buffer;
    let i = this.pos;
    for (;;) {
      const lt = buf.indexOf('<', i);
      if (lt < 0) {
        i = buf.length;
        break;
      }
      const gt = tagEnd(buf, lt);
      if (gt < 0) {
        i = lt;
        break;
      }
      i = gt + 1;
      const second = buf.charCodeAt(lt + 1);
      if (second === 63 /* ? */ || second === 33 /* ! */) continue;
      if (second === 47 /* / */) {
        if (this.depth === 0) {
          this.events.onEnd?.(); // </stream:stream>
          continue;
        }
        this.depth--;
        if (this.depth === 0) this.emit(buf.slice(this.start, i));
        continue;
      }
      const selfClosing = buf.charCodeAt(gt - 1) === 47;
      if (this.depth === 0 && buf.startsWith('stream:stream', lt + 1)) {
        this.events.onHeader?.(buf.slice(lt, i));
        continue;
      }
      if (this.depth === 0) this.start = lt;
      if (selfClosing) {
        if (this.depth === 0) this.emit(buf.slice(lt, i));
      } else {
        this.depth++;
      }
    }
    // Keep only the unfinished part so the buffer does not grow with the stream.
    const keep = this.depth > 0 ? this.start : i;
    this.buffer = buf.slice(keep);
    this.pos = i - keep;
    if (this.start >= 0) this.start -= keep;
  }

  private emit(text: string): void {
    this.start = -1;
    this.events.onStanza(text);
  }
}

/** Index of the '>' closing the tag opened at lt, skipping quoted attribute values; -1 if not yet read. */
function tagEnd(buf: string, lt: number): number {
  let quote = 0;
  for (let j = lt + 1; j < buf.length; j++) {
    const c = buf.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
    } else if (c === 62) {
      return j;
    }
  }
  return -1;
}

/** The element name of a stanza text, e.g. 'message' or 'stream:features'. */
export function stanzaName(text: string): string {
  let end = 1;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13) break;
    end++;
  }
  return text.slice(1, end);
}

/** An attribute of the top-level tag (unescaped only for the few entities servers use). */
export function topAttr(text: string, name: string): string | undefined {
  const tagClose = tagEnd(text, 0);
  const head = tagClose < 0 ? text : text.slice(0, tagClose);
  for (const q of ["'", '"']) {
    const key = ` ${name}=${q}`;
    const at = head.indexOf(key);
    if (at >= 0) {
      const from = at + key.length;
      const to = head.indexOf(q, from);
      if (to >= 0) return unescapeXml(head.slice(from, to));
    }
  }
  return undefined;
}

/** Text of the first <name>…</name> child anywhere in the stanza. */
export function childText(text: string, name: string): string | undefined {
  const open = text.indexOf(`<${name}`);
  if (open < 0) return undefined;
  const gt = tagEnd(text, open);
  if (gt < 0 || text.charCodeAt(gt - 1) === 47) return gt < 0 ? undefined : '';
  const close = text.indexOf(`</${name}>`, gt);
  return close < 0 ? undefined : unescapeXml(text.slice(gt + 1, close));
}

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

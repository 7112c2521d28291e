// Checks and decodes one reference after '&' (XML 1.0 §4.1) one character at a time, so it may span writes.
import { StreamError } from '../protocol/stream-error.js';
import { isNameChar, isNameStart, isXmlCodePoint } from './xml-chars.js';

const PREDEFINED = ['amp', 'lt', 'gt', 'quot', 'apos'];
const REPLACEMENT: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const FIRST = 0;
const HASH = 1;
const DECIMAL = 2;
const HEX = 3;
const NAMED = 4;

export class EntityRef {
  /** The referenced text, once push() has returned true. */
  text = '';
  private kind = FIRST;
  private name = '';
  private value = 0;
  private digits = 0;

  begin(): void {
    this.kind = FIRST;
    this.name = '';
    this.value = 0;
    this.digits = 0;
  }

  /** Consumes one UTF-16 code unit; true once ';' closes a valid reference. Throws on anything else. */
  push(c: number): boolean {
    switch (this.kind) {
      case FIRST:
        if (c === 0x23 /* # */) {
          this.kind = HASH;
        } else if (isNameStart(c)) {
          this.kind = NAMED;
          this.addNameChar(c);
        } else {
          throw notWellFormed("'&' that does not start a reference (write &amp;)");
        }
        return false;
      case HASH:
        if (c === 0x78 /* x; XML requires lower case */) {
          this.kind = HEX;
          return false;
        }
        this.kind = DECIMAL;
        return this.digit(c, 10);
      case DECIMAL:
        return this.digit(c, 10);
      case HEX:
        return this.digit(c, 16);
      default:
        if (c === 0x3b /* ; */) {
          if (PREDEFINED.includes(this.name)) {
            this.text = REPLACEMENT[this.name]!;
            return true;
          }
          throw undeclared(this.name);
        }
        if (!isNameChar(c)) throw notWellFormed('entity reference without ;');
        this.addNameChar(c);
        return false;
    }
  }

  private digit(c: number, base: number): boolean {
    if (c === 0x3b /* ; */ && this.digits > 0) {
      if (!isXmlCodePoint(this.value)) throw notWellFormed('character reference to a character XML forbids');
      this.text = String.fromCodePoint(this.value);
      return true;
    }
    const d = digitValue(c);
    if (d < 0 || d >= base) throw notWellFormed('malformed character reference');
    this.value = this.value * base + d;
    this.digits++;
    // Leading zeros are legal, so bound the value, not the digit count.
    if (this.value > 0x10ffff) throw notWellFormed('character reference out of range');
    return false;
  }

  // RFC 6120 §11.1 forbids entity references other than the predefined ones, and a stream cannot carry the DTD
  // that would declare one, so any other name is reported as restricted-xml: the condition that names the rule
  // the peer broke (not-well-formed would also be true). It is decided on the first character that leaves the
  // predefined names, so nothing is buffered while waiting for the ';'.
  private addNameChar(c: number): void {
    this.name += String.fromCharCode(c);
    if (!PREDEFINED.some((p) => p.startsWith(this.name))) throw undeclared(this.name);
  }
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function notWellFormed(text: string): StreamError {
  return new StreamError('not-well-formed', text);
}

function undeclared(name: string): StreamError {
  return new StreamError('restricted-xml', `entity reference &${name}… (only the predefined entities are allowed)`);
}

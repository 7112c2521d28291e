// Character classes of XML 1.0 (5th ed.) §2.2-2.3, tested one UTF-16 code unit at a time.

/** Matches any character outside the XML `Char` production (lone surrogates cannot occur after a fatal UTF-8 decode). */
export const ILLEGAL_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** XML `S`: space, tab, CR, LF. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** `NameStartChar`. Surrogates stand for U+10000-U+EFFFF: high ones up to U+DB7F, any low one after. */
export function isNameStart(c: number): boolean {
  if (c < 0x80) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  }
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdb7f) ||
    (c >= 0xdc00 && c <= 0xdfff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** `NameChar`. */
export function isNameChar(c: number): boolean {
  if (c < 0x80) {
    return (
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x3a ||
      c === 0x2d ||
      c === 0x2e
    );
  }
  return c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || isNameStart(c);
}

/** Namespaces in XML §4: a QName has at most one colon, and not at either end. */
export function isQName(name: string): boolean {
  const colon = name.indexOf(':');
  if (colon === -1) return true;
  return colon > 0 && colon < name.length - 1 && name.indexOf(':', colon + 1) === -1;
}

/** XML `Char` for a code point reached through a character reference (WFC: Legal Character). */
export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

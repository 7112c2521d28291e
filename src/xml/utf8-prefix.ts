// Byte-level UTF-8 facts the streaming decoder does not expose: how far a buffer is valid, and which trailing
// bytes are the start of a character still to come.

/**
 * Offset of the first byte sequence that is not UTF-8 (RFC 3629: no overlong forms, surrogates or code points
 * past U+10FFFF); the buffer's length when there is none. A character cut off by the buffer's end is not invalid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return n;
      const c = bytes[i + k]!;
      if (c < low || c > high) return i;
      low = 0x80;
      high = 0xbf;
    }
    i += need + 1;
  }
  return n;
}

/** The trailing bytes that begin a multi-byte character not yet complete (at most 3), else an empty buffer. */
export function incompleteTail(bytes: Buffer): Buffer {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i]!;
    if (b < 0x80) break;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return n - i < length ? Buffer.from(bytes.subarray(i)) : EMPTY;
    }
  }
  return EMPTY;
}

const EMPTY: Buffer = Buffer.alloc(0);

// SASLprep (RFC 4013): the stringprep (RFC 3454) profile for SASL user names and passwords.
// The tables below are RFC 3454's, written as inclusive code point ranges.

/** Input that SASLprep prohibits: the caller must refuse it, never "clean" it. */
export class SaslprepError extends Error {
  constructor(
    readonly reason: 'prohibited' | 'unassigned' | 'bidi',
    readonly codePoint?: number,
  ) {
    super(
      codePoint === undefined
        ? `saslprep: ${reason}`
        : `saslprep: ${reason} character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`,
    );
    this.name = 'SaslprepError';
  }
}

export interface SaslprepOptions {
  /**
   * Stringprep §7: queries (login) may contain unassigned code points, stored strings
   * (registration, password change) may not. Defaults to true, the query rule.
   */
  allowUnassigned?: boolean;
}

type Ranges = readonly (readonly [number, number])[];

function inRanges(cp: number, ranges: Ranges): boolean {
  for (const [lo, hi] of ranges) {
    if (cp < lo) return false; // tables are sorted
    if (cp <= hi) return true;
  }
  return false;
}

/** C.1.2 non-ASCII space characters: mapped to SPACE (RFC 4013 §2.1). */
const NON_ASCII_SPACE: Ranges = [
  [0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** B.1 commonly mapped to nothing (RFC 4013 §2.2). */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d],
  [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];

/** C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 merged (RFC 4013 §2.3). */
const PROHIBITED: Ranges = [
  [0x0000, 0x001f], [0x007f, 0x009f], [0x00a0, 0x00a0], [0x0340, 0x0341], [0x06dd, 0x06dd],
  [0x070f, 0x070f], [0x1680, 0x1680], [0x180e, 0x180e], [0x2000, 0x200f], [0x2028, 0x202f],
  [0x205f, 0x2063], [0x206a, 0x206f], [0x2ff0, 0x2ffb], [0x3000, 0x3000], [0xd800, 0xf8ff],
  [0xfdd0, 0xfdef], [0xfeff, 0xfeff], [0xfff9, 0xffff], [0x1d173, 0x1d17a], [0x1fffe, 0x1ffff],
  [0x2fffe, 0x2ffff], [0x3fffe, 0x3ffff], [0x4fffe, 0x4ffff], [0x5fffe, 0x5ffff], [0x6fffe, 0x6ffff],
  [0x7fffe, 0x7ffff], [0x8fffe, 0x8ffff], [0x9fffe, 0x9ffff], [0xafffe, 0xaffff], [0xbfffe, 0xbffff],
  [0xcfffe, 0xcffff], [0xdfffe, 0xdffff], [0xe0001, 0xe0001], [0xe0020, 0xe007f], [0xefffe, 0x10ffff],
];

/** D.1 characters with bidirectional property R or AL (RandALCat). */
const RAND_AL_CAT: Ranges = [
  [0x05be, 0x05be], [0x05c0, 0x05c0], [0x05c3, 0x05c3], [0x05d0, 0x05ea], [0x05f0, 0x05f4],
  [0x061b, 0x061b], [0x061f, 0x061f], [0x0621, 0x063a], [0x0640, 0x064a], [0x066d, 0x066f],
  [0x0671, 0x06d5], [0x06dd, 0x06dd], [0x06e5, 0x06e6], [0x06fa, 0x06fe], [0x0700, 0x070d],
  [0x0710, 0x0710], [0x0712, 0x072c], [0x0780, 0x07a5], [0x07b1, 0x07b1], [0x200f, 0x200f],
  [0xfb1d, 0xfb1d], [0xfb1f, 0xfb28], [0xfb2a, 0xfb36], [0xfb38, 0xfb3c], [0xfb3e, 0xfb3e],
  [0xfb40, 0xfb41], [0xfb43, 0xfb44], [0xfb46, 0xfbb1], [0xfbd3, 0xfd3d], [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7], [0xfdf0, 0xfdfc], [0xfe70, 0xfe74], [0xfe76, 0xfefc],
];

// D.2 (bidi class L) is a table of several hundred ranges and JS regexes have no Bidi_Class
// property, so LCat is approximated: letters and spacing marks outside right-to-left scripts.
// It only matters for strings that also contain RandALCat characters.
const LCAT_APPROX =
  /^(?![\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}])[\p{L}\p{Mc}]$/u;

// Unassigned in the running Unicode version, not Unicode 3.2 as A.1 lists: newer
// characters are accepted, which only widens what a stored string may contain.
const UNASSIGNED = /^\p{Cn}$/u;

function codePointOf(ch: string): number {
  // for...of yields whole code points (or lone surrogates), never an empty string.
  return ch.codePointAt(0) as number;
}

/** Prepares a SASL user name or password; throws SaslprepError for prohibited input. */
export function saslprep(input: string, options: SaslprepOptions = {}): string {
  const allowUnassigned = options.allowUnassigned ?? true;

  // §2.1 and §2.2. U+200B is in both tables; it becomes a space, as C.1.2 is listed first.
  let mapped = '';
  for (const ch of input) {
    const cp = codePointOf(ch);
    if (inRanges(cp, NON_ASCII_SPACE)) mapped += ' ';
    else if (!inRanges(cp, MAPPED_TO_NOTHING)) mapped += ch;
  }

  // §2.3 normalization form KC.
  const output = mapped.normalize('NFKC');

  let hasRandAL = false;
  let hasL = false;
  const chars = [...output];
  for (const ch of chars) {
    const cp = codePointOf(ch);
    if (inRanges(cp, PROHIBITED)) throw new SaslprepError('prohibited', cp);
    if (!allowUnassigned && UNASSIGNED.test(ch)) throw new SaslprepError('unassigned', cp);
    if (inRanges(cp, RAND_AL_CAT)) hasRandAL = true;
    else if (LCAT_APPROX.test(ch)) hasL = true;
  }

  // §2.4 / RFC 3454 §6: right-to-left text may not mix in left-to-right characters and
  // must begin and end with a right-to-left character.
  if (hasRandAL) {
    const first = chars[0];
    const last = chars[chars.length - 1];
    if (
      hasL ||
      first === undefined ||
      last === undefined ||
      !inRanges(codePointOf(first), RAND_AL_CAT) ||
      !inRanges(codePointOf(last), RAND_AL_CAT)
    ) {
      throw new SaslprepError('bidi');
    }
  }
  return output;
}

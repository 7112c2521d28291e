// XMPP addresses per RFC 7622. Every stanza carries JIDs, so plain-ASCII input takes
// regex fast paths and recent parses are cached; the PRECIS code below only runs for
// non-ASCII parts. Character properties come from the runtime's Unicode tables (ICU).
import { isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

export class JidError extends Error {
  override name = 'JidError';
}

const MAX_OCTETS = 1023;
// Preparation shrinks a part by at most a few code units per resulting character
// (canonical decompositions are at most 4 code points), so anything longer than this
// cannot fit in 1023 octets; rejecting early bounds the work done on hostile input.
const MAX_RAW_UNITS = 4 * MAX_OCTETS;

// Only `new Jid` calls from this module are trusted to pass prepared parts.
const PREPARED: unique symbol = Symbol('prepared');

export class Jid {
  #string: string | undefined;
  #bare: Jid | undefined;

  constructor(
    readonly local: string,
    readonly domain: string,
    readonly resource: string,
    token: typeof PREPARED,
  ) {
    if (token !== PREPARED) throw new JidError('use parseJid or createJid');
  }

  get bare(): Jid {
    if (this.resource === '') return this;
    return (this.#bare ??= new Jid(this.local, this.domain, '', PREPARED));
  }

  get isBare(): boolean {
    return this.resource === '';
  }

  get isDomain(): boolean {
    return this.local === '' && this.resource === '';
  }

  withResource(resource: string): Jid {
    return new Jid(this.local, this.domain, prepareResource(resource), PREPARED);
  }

  equals(other: Jid): boolean {
    return this === other || (this.domain === other.domain && this.local === other.local && this.resource === other.resource);
  }

  toString(): string {
    return (this.#string ??= this.resource === '' ? this.toBareString() : `${this.toBareString()}/${this.resource}`);
  }

  toBareString(): string {
    return this.local === '' ? this.domain : `${this.local}@${this.domain}`;
  }
}

// Jids are immutable, so parses can be shared. Two generations approximate LRU with
// O(1) work (deleting a Map's first key repeatedly is slow in V8); keys are bounded in
// length so a flood of distinct addresses cannot grow memory.
const CACHE_GENERATION = 2048;
const CACHE_KEY_MAX = 256;
let recent = new Map<string, Jid>();
let older = new Map<string, Jid>();

function remember(input: string, jid: Jid): void {
  if (recent.size >= CACHE_GENERATION) {
    older = recent;
    recent = new Map();
  }
  recent.set(input, jid);
}

export function parseJid(input: string): Jid {
  const hit = recent.get(input) ?? older.get(input);
  if (hit !== undefined) {
    if (recent.get(input) === undefined) remember(input, hit);
    return hit;
  }
  // RFC 7622 §3.1: the resource is everything after the first '/', then the localpart
  // is everything before the first '@' of what remains.
  const slash = input.indexOf('/');
  const head = slash === -1 ? input : input.slice(0, slash);
  const at = head.indexOf('@');
  if (at === 0) throw new JidError('empty localpart before @');
  if (slash !== -1 && slash === input.length - 1) throw new JidError('empty resourcepart after /');
  const jid = new Jid(
    at === -1 ? '' : prepareLocal(head.slice(0, at)),
    prepareDomain(at === -1 ? head : head.slice(at + 1)),
    slash === -1 ? '' : prepareResource(input.slice(slash + 1)),
    PREPARED,
  );
  if (input.length <= CACHE_KEY_MAX) remember(input, jid);
  return jid;
}

export function tryParseJid(input: string | undefined): Jid | undefined {
  if (input === undefined) return undefined;
  try {
    return parseJid(input);
  } catch (err) {
    if (err instanceof JidError) return undefined;
    throw err;
  }
}

/** Builds a JID from separate parts; '' (or omitting resource) means the part is absent. */
export function createJid(local: string, domain: string, resource?: string): Jid {
  return new Jid(
    local === '' ? '' : prepareLocal(local),
    prepareDomain(domain),
    resource === undefined || resource === '' ? '' : prepareResource(resource),
    PREPARED,
  );
}

// ---- Localpart: PRECIS UsernameCaseMapped (RFC 8265 §3.3, RFC 7622 §3.3) ----

// Printable ASCII minus space and the RFC 7622 §3.3.1 exclusions " & ' / : < > @.
const LOCAL_ASCII = /^[!#-%(-.0-9;=?A-~]+$/;

function prepareLocal(raw: string): string {
  checkRawLength(raw, 'localpart');
  let s: string;
  if (LOCAL_ASCII.test(raw)) {
    s = raw.toLowerCase();
  } else {
    s = mapWidth(raw).toLowerCase().normalize('NFC');
    checkCodePoints(s, 'local');
    checkBidi(s);
  }
  return checkOctets(s, 'localpart');
}

// ---- Domainpart (RFC 7622 §3.2) ----

// Canonical form is U-labels: RFC 7622 §3.2.1 forbids A-labels in a domainpart, so
// 'xn--' input is converted to Unicode and both spellings compare equal. Underscore is
// accepted because deployed component and internal hostnames use it. The fast path
// takes 1-63 character labels without edge hyphens or the RFC 5890 reserved "--" in
// positions 3-4; everything else (A-labels included) goes through prepareIdn.
const HOSTNAME = /^(?!..--)(?!-)[a-z0-9_-]{1,63}(?<!-)(?:\.(?!..--)(?!-)[a-z0-9_-]{1,63}(?<!-))*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const DIGITS_AND_DOTS = /^[0-9.]+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

function prepareDomain(raw: string): string {
  checkRawLength(raw, 'domainpart');
  if (raw.startsWith('[')) return prepareIPv6(raw);
  const ascii = PRINTABLE_ASCII.test(raw);
  let s = ascii ? raw.toLowerCase() : mapWidth(raw).replace(/\u3002/g, '.').toLowerCase().normalize('NFC');
  if (s.endsWith('.')) s = s.slice(0, -1); // RFC 7622 §3.2: strip one trailing dot
  if (s === '') throw new JidError('empty domainpart');
  // An all-numeric name is not a hostname, so it must be a well-formed IPv4 literal.
  if (isDigit(s.charCodeAt(s.length - 1)) && DIGITS_AND_DOTS.test(s)) {
    if (!IPV4.test(s)) throw new JidError('malformed IPv4 domainpart');
    return s;
  }
  if (ascii && HOSTNAME.test(s)) return checkOctets(s, 'domainpart');
  return prepareIdn(s);
}

function prepareIdn(s: string): string {
  // WHATWG/UTS #46 does the punycode work; it maps more leniently than IDNA2008, so
  // any label it changes (other than A-labels we asked it to decode) is rejected.
  const aLabels = domainToASCII(s);
  if (aLabels === '') throw new JidError('invalid internationalized domainpart');
  const uForm = domainToUnicode(aLabels);
  const inLabels = s.split('.');
  const aParts = aLabels.split('.');
  const uParts = uForm.split('.');
  if (aParts.length !== inLabels.length || uParts.length !== inLabels.length) {
    throw new JidError('invalid internationalized domainpart');
  }
  for (let i = 0; i < inLabels.length; i++) {
    const input = inLabels[i] ?? '';
    const u = uParts[i] ?? '';
    if (!input.startsWith('xn--') && input !== u) throw new JidError('domain label is not in canonical form');
    if (!/^[a-z0-9_-]+$/.test(aParts[i] ?? '')) throw new JidError('invalid domain label');
    checkLdhLabel(aParts[i] ?? ''); // the DNS 63-octet limit applies to the A-label
    checkCodePoints(u, 'domain');
  }
  return checkOctets(uForm, 'domainpart');
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function checkLdhLabel(label: string): void {
  if (label.length === 0 || label.length > 63) throw new JidError('domain label must be 1-63 octets');
  if (label.startsWith('-') || label.endsWith('-')) throw new JidError('domain label starts or ends with hyphen');
  // RFC 5890 reserves "--" in positions 3-4; only A-labels ('xn--') may use it.
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) throw new JidError('reserved domain label');
}

function prepareIPv6(raw: string): string {
  const inner = raw.slice(1, -1);
  if (!raw.endsWith(']') || !isIPv6(inner) || inner.includes('%')) throw new JidError('malformed IPv6 domainpart');
  // The URL serializer gives the RFC 5952 text form, so equal addresses compare equal.
  return new URL(`http://[${inner}]/`).hostname;
}

// ---- Resourcepart: PRECIS OpaqueString (RFC 8265 §4.2, RFC 7622 §3.4) ----

const RESOURCE_ASCII = /^[\x20-\x7e]+$/;

function prepareResource(raw: string): string {
  checkRawLength(raw, 'resourcepart');
  let s = raw;
  if (!RESOURCE_ASCII.test(raw)) {
    s = raw.replace(/\p{Zs}/gu, ' ').normalize('NFC'); // non-ASCII spaces map to U+0020
    checkCodePoints(s, 'resource');
  }
  return checkOctets(s, 'resourcepart');
}

// ---- Shared PRECIS helpers (RFC 8264 §8 derived property, RFC 5892 exceptions) ----

type Slot = 'local' | 'domain' | 'resource';

const LETTER_DIGIT = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
const FREEFORM_ONLY = /^[\p{Lt}\p{Nl}\p{No}\p{Me}\p{Zs}\p{S}\p{P}]$/u;
// Default-ignorable code points and Old Hangul Jamo (Hangul_Syllable_Type L, V, T).
const IGNORABLE_OR_JAMO = /^[\p{Default_Ignorable_Code_Point}\u1100-\u11ff\ua960-\ua97c\ud7b0-\ud7c6\ud7cb-\ud7fb]$/u;
const EXCEPTION_PVALID = new Set([0xdf, 0x3c2, 0x6fd, 0x6fe, 0xf0b, 0x3007]);
const EXCEPTION_DISALLOWED = new Set([0x640, 0x7fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b]);
// Localparts also refuse the RFC 7622 §3.3.1 exclusions; domains take LDH plus '_'.
const ASCII_OK: Record<Slot, RegExp> = { local: /[!#-%(-.0-9;=?A-~]/, domain: /[a-z0-9_-]/, resource: /[ -~]/ };
const JOINING = /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mandaic}\p{Script=Mongolian}\p{Script=Adlam}]/u;
const KANA_HAN = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
// RFC 5892 CONTEXTJ and CONTEXTO code points.
const CONTEXTUAL = /^[\u200c\u200d\u00b7\u0375\u05f3\u05f4\u30fb\u0660-\u0669\u06f0-\u06f9]$/;

function checkCodePoints(s: string, slot: Slot): void {
  const cps = Array.from(s);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] ?? '';
    const cp = c.codePointAt(0) ?? 0;
    let ok: boolean;
    if (cp < 0x80) ok = ASCII_OK[slot].test(c);
    else if (EXCEPTION_PVALID.has(cp)) ok = true;
    else if (CONTEXTUAL.test(c)) ok = contextAllows(cps, i, cp, s);
    else if (EXCEPTION_DISALLOWED.has(cp) || IGNORABLE_OR_JAMO.test(c)) ok = false;
    else {
      // HasCompat: identifiers refuse compatibility characters, free-form text keeps them.
      const compat = c.normalize('NFKC') !== c;
      ok = slot === 'resource' ? compat || LETTER_DIGIT.test(c) || FREEFORM_ONLY.test(c) : !compat && LETTER_DIGIT.test(c);
    }
    if (!ok) throw new JidError(`character U+${hex(cp)} not allowed in ${slot}part`);
  }
}

// RFC 5892 Appendix A rules. JavaScript regexes expose neither Canonical_Combining_Class
// nor Joining_Type, so the joiner rules are approximated: any combining mark stands in
// for a virama, and letters of cursive scripts stand in for dual/left/right-joining.
function contextAllows(cps: string[], i: number, cp: number, s: string): boolean {
  const before = cps[i - 1] ?? '';
  const after = cps[i + 1] ?? '';
  switch (cp) {
    case 0x200c:
      return /\p{M}/u.test(before) || (JOINING.test(before) && JOINING.test(after));
    case 0x200d:
      return /\p{M}/u.test(before);
    case 0xb7:
      return before === 'l' && after === 'l';
    case 0x375:
      return /\p{Script=Greek}/u.test(after);
    case 0x5f3:
    case 0x5f4:
      return /\p{Script=Hebrew}/u.test(before);
    case 0x30fb:
      return KANA_HAN.test(s.replace(/\u30fb/g, ''));
  }
  // Arabic-Indic digits: never both the plain and the extended set in one string.
  return cp <= 0x669 ? !/[\u06f0-\u06f9]/.test(s) : !/[\u0660-\u0669]/.test(s);
}

// RFC 5893 Bidi Rule for localparts containing right-to-left letters (domains get it
// from domainToASCII). Bidi_Class is not exposed to regexes either, so letters and
// punctuation of right-to-left scripts stand in for classes R and AL.
const RTL = String.raw`\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}`;
const RTL_STRONG = new RegExp(`^(?![\\p{M}\\p{Nd}])[${RTL}]$`, 'u');
const RTL_OR_DIGIT = new RegExp(`^(?:(?!\\p{M})[${RTL}]|[0-9\u0660-\u0669\u06f0-\u06f9])$`, 'u');
const STRONG = /^[\p{L}\p{Nd}\p{Mc}]$/u;

function checkBidi(s: string): void {
  const cps = Array.from(s);
  if (!cps.some((c) => RTL_STRONG.test(c))) return;
  const last = cps.filter((c) => !/\p{Mn}/u.test(c)).pop() ?? '';
  const ok =
    RTL_STRONG.test(cps[0] ?? '') &&
    RTL_OR_DIGIT.test(last) &&
    cps.every((c) => RTL_OR_DIGIT.test(c) || !STRONG.test(c)) &&
    !(/[0-9\u06f0-\u06f9]/.test(s) && /[\u0660-\u0669]/.test(s)); // no EN with AN
  if (!ok) throw new JidError('localpart violates the bidi rule');
}

// Fullwidth and halfwidth forms map to their decompositions (RFC 8265 §3.3.2 rule 1).
function mapWidth(s: string): string {
  return s.replace(/[\u3000\uff01-\uffee]/g, (c) => c.normalize('NFKC'));
}

function checkRawLength(raw: string, part: string): void {
  if (raw.length > MAX_RAW_UNITS) throw new JidError(`${part} too long`);
}

function checkOctets(s: string, part: string): string {
  // A UTF-16 length within a third of the limit cannot exceed it in UTF-8.
  if (s.length === 0) throw new JidError(`empty ${part}`);
  if (s.length > MAX_OCTETS / 3 && Buffer.byteLength(s, 'utf8') > MAX_OCTETS) {
    throw new JidError(`${part} longer than ${MAX_OCTETS} octets`);
  }
  return s;
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

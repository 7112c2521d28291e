// XMPP addresses per RFC 7622. Every stanza carries JIDs, so plain-ASCII input takes
// regex fast paths and recent parses are cached; the PRECIS rules (precis.ts) only run for
// non-ASCII parts.
import { isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { JidError } from './jid-error.js';
import { checkBidi, checkCodePoints, mapWidth } from './precis.js';

export { JidError };

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
    return (this.#string ??=
      this.resource === '' ? (this.local === '' ? this.domain : `${this.local}@${this.domain}`) : `${this.bare.toString()}/${this.resource}`);
  }

  /** Kept with the bare Jid: session look-ups by bare JID run for every message. */
  toBareString(): string {
    return this.resource === '' ? this.toString() : this.bare.toString();
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
  // One look-up for the common case (every message's 'to' is in the recent generation).
  const hit = recent.get(input);
  if (hit !== undefined) return hit;
  const old = older.get(input);
  if (old !== undefined) {
    remember(input, old);
    return old;
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

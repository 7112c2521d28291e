// PRECIS character rules for JID parts (RFC 8264 derived properties, RFC 5892 contextual
// rules, RFC 5893 bidi), split from jid.ts. Character properties come from the runtime's
// Unicode tables (ICU).
import { JidError } from './jid-error.js';

// ---- Shared PRECIS helpers (RFC 8264 §8 derived property, RFC 5892 exceptions) ----

export type Slot = 'local' | 'domain' | 'resource';

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

export function checkCodePoints(s: string, slot: Slot): void {
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

export function checkBidi(s: string): void {
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
export function mapWidth(s: string): string {
  return s.replace(/[\u3000\uff01-\uffee]/g, (c) => c.normalize('NFKC'));
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

import { describe, it, expect } from 'vitest';
import { saslprep, SaslprepError } from '../../src/auth/saslprep.js';

describe('saslprep: RFC 4013 §3 examples', () => {
  it('maps SOFT HYPHEN to nothing', () => {
    expect(saslprep('I\u00ADX')).toBe('IX');
  });
  it('leaves plain ASCII alone and preserves case', () => {
    expect(saslprep('user')).toBe('user');
    expect(saslprep('USER')).toBe('USER');
  });
  it('normalizes with NFKC', () => {
    expect(saslprep('\u00AA')).toBe('a');
    expect(saslprep('\u2168')).toBe('IX');
  });
  it('prohibits a control character', () => {
    expect(() => saslprep('\u0007')).toThrow(SaslprepError);
  });
  it('rejects RandALCat text that does not end in a RandALCat character', () => {
    expect(() => saslprep('\u0627\u0031')).toThrow(SaslprepError);
  });
});

describe('saslprep: mapping', () => {
  it('maps non-ASCII spaces to SPACE', () => {
    expect(saslprep('a\u00A0b')).toBe('a b');
    expect(saslprep('a\u2003b\u3000c')).toBe('a b c');
  });
  it('maps other "commonly mapped to nothing" characters away', () => {
    expect(saslprep('a\u200Db')).toBe('ab'); // ZERO WIDTH JOINER, prohibited if it survived
    expect(saslprep('a\uFEFFb\uFE0F')).toBe('ab');
    expect(saslprep('\u034Fx\u180B')).toBe('x');
  });
  it('passes the empty string through', () => {
    expect(saslprep('')).toBe('');
  });
  it('keeps ordinary non-ASCII letters', () => {
    expect(saslprep('Jürgen')).toBe('Jürgen');
    expect(saslprep('ﬁ')).toBe('fi'); // compatibility ligature
  });
});

describe('saslprep: prohibited output', () => {
  const cases: [string, string][] = [
    ['ASCII control', 'a\u0000b'],
    ['DEL', 'a\u007Fb'],
    ['non-ASCII control', 'a\u0085b'],
    ['line separator', 'a\u2028b'],
    ['private use', 'a\uE000b'],
    ['plane 15 private use', 'a\u{F0001}b'],
    ['non-character', 'a\uFDD0b'],
    ['non-character U+FFFF', 'a\uFFFFb'],
    ['lone surrogate', 'a\uD800b'],
    ['replacement character', 'a\uFFFDb'],
    ['ideographic description', 'a\u2FF0b'],
    ['left-to-right mark', 'a\u200Eb'],
    ['right-to-left override', 'a\u202Eb'],
    ['language tag', 'a\u{E0001}b'],
    ['tagging character', 'a\u{E0041}b'],
    ['musical symbol format control', 'a\u{1D173}b'],
  ];
  for (const [name, input] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => saslprep(input)).toThrow(SaslprepError);
    });
  }

  it('reports the reason and code point', () => {
    try {
      saslprep('x\u0007');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SaslprepError);
      expect((err as SaslprepError).reason).toBe('prohibited');
      expect((err as SaslprepError).codePoint).toBe(7);
      expect((err as Error).name).toBe('SaslprepError');
    }
  });
});

describe('saslprep: unassigned code points', () => {
  it('allows them in queries (the default)', () => {
    expect(saslprep('a\u0378b')).toBe('a\u0378b');
  });
  it('refuses them in stored strings', () => {
    expect(() => saslprep('a\u0378b', { allowUnassigned: false })).toThrow(/unassigned/);
  });
});

describe('saslprep: bidirectional rules', () => {
  it('accepts right-to-left text that starts and ends with RandALCat', () => {
    expect(saslprep('\u05D0\u05D1\u05D2')).toBe('\u05D0\u05D1\u05D2');
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628'); // digits are not LCat
  });
  it('rejects RandALCat mixed with LCat', () => {
    expect(() => saslprep('\u0627a\u0628')).toThrow(/bidi/);
    expect(() => saslprep('\u05D0\u00E9\u05D1')).toThrow(/bidi/);
  });
  it('rejects RandALCat text that starts with another character', () => {
    expect(() => saslprep('1\u0627')).toThrow(/bidi/);
  });
  it('accepts left-to-right text with digits and punctuation', () => {
    expect(saslprep('abc-123!')).toBe('abc-123!');
  });
});

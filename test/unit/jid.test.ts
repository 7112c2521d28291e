import { describe, expect, it } from 'vitest';
import { JidError, createJid, parseJid, tryParseJid } from '../../src/protocol/jid.js';

function parts(input: string): [string, string, string] {
  const jid = parseJid(input);
  return [jid.local, jid.domain, jid.resource];
}

describe('parseJid: RFC 7622 §3.5 examples', () => {
  it('RFC 7622 §3.5: accepts the valid examples', () => {
    expect(parts('juliet@example.com')).toEqual(['juliet', 'example.com', '']);
    expect(parts('juliet@example.com/foo')).toEqual(['juliet', 'example.com', 'foo']);
    expect(parts('juliet@example.com/foo bar')).toEqual(['juliet', 'example.com', 'foo bar']);
    expect(parts('juliet@example.com/foo@bar')).toEqual(['juliet', 'example.com', 'foo@bar']);
    expect(parts('foo\\20bar@example.com')).toEqual(['foo\\20bar', 'example.com', '']);
    expect(parts('fussball@example.com')).toEqual(['fussball', 'example.com', '']);
    expect(parts('fußball@example.com')).toEqual(['fußball', 'example.com', '']);
    expect(parts('π@example.com')).toEqual(['π', 'example.com', '']);
    expect(parts('Σ@example.com/foo')).toEqual(['σ', 'example.com', 'foo']);
    expect(parts('σ@example.com/foo')).toEqual(['σ', 'example.com', 'foo']);
    expect(parts('ς@example.com/foo')).toEqual(['ς', 'example.com', 'foo']);
    expect(parts('king@example.com/♚')).toEqual(['king', 'example.com', '♚']);
    expect(parts('example.com')).toEqual(['', 'example.com', '']);
    expect(parts('example.com/foobar')).toEqual(['', 'example.com', 'foobar']);
    expect(parts('a.example.com/b@example.net')).toEqual(['', 'a.example.com', 'b@example.net']);
  });

  it('RFC 7622 §3.5: fussball and fußball stay distinct', () => {
    expect(parseJid('fussball@example.com').equals(parseJid('fußball@example.com'))).toBe(false);
  });

  it.each([
    ['"juliet"@example.com', 'excluded double quote'],
    ['foo bar@example.com', 'space in localpart'],
    ['juliet@example.com/', 'empty resourcepart'],
    ['@example.com/', 'empty localpart and resourcepart'],
    ['henryⅣ@example.com', 'compatibility character in localpart'],
    ['♚@example.com', 'symbol in localpart'],
    ['juliet@', 'empty domainpart'],
    ['/foobar', 'empty domainpart before resource'],
  ])('RFC 7622 §3.5: rejects %s (%s)', (input) => {
    expect(() => parseJid(input)).toThrow(JidError);
  });
});

describe('parseJid: localpart', () => {
  it('RFC 7622 §3.3: case-folds to lower case', () => {
    expect(parseJid('JuLiEt@Example.COM').toString()).toBe('juliet@example.com');
    expect(parseJid('ΣΑΣ@example.com').local).toBe(parseJid('σας@example.com').local);
  });

  it('RFC 7622 §3.3: maps fullwidth characters to their narrow forms', () => {
    expect(parseJid('ｊｕｌｉｅｔ@example.com').local).toBe('juliet');
    expect(parseJid('ＪＵＬＩＥＴ@example.com').local).toBe('juliet');
  });

  it('RFC 7622 §3.3: normalizes to NFC', () => {
    expect(parseJid('cafe\u0301@example.com').local).toBe('caf\u00e9');
  });

  it.each(['a&b', "a'b", 'a:b', 'a<b', 'a>b', 'a\tb', 'a\u0000b', 'a\u200bb', 'a\u00a0b'])(
    'RFC 7622 §3.3.1: rejects excluded or disallowed characters in %j',
    (local) => {
      expect(() => parseJid(`${local}@example.com`)).toThrow(JidError);
    },
  );

  it('RFC 5892 Appendix A: middle dot only between two l', () => {
    expect(parseJid('l·l@example.com').local).toBe('l·l');
    expect(() => parseJid('a·b@example.com')).toThrow(JidError);
  });

  it('RFC 5892 Appendix A: contextual characters need their context', () => {
    expect(() => parseJid('\u03b1\u0375\u03b2@example.com')).not.toThrow(); // keraia before Greek
    expect(() => parseJid('a\u0375b@example.com')).toThrow(JidError);
    expect(() => parseJid('\u05d0\u05f3@example.com')).not.toThrow(); // geresh after Hebrew
    expect(() => parseJid('a\u05f3@example.com')).toThrow(JidError);
    expect(() => parseJid('\u30a2\u30fb\u30a4@example.com')).not.toThrow(); // katakana middle dot
    expect(() => parseJid('a\u30fbb@example.com')).toThrow(JidError);
    expect(() => parseJid('\u0628\u0661\u06f1@example.com')).toThrow(JidError); // mixed Arabic-Indic digits
    expect(() => parseJid('\u0915\u094d\u200d\u0937@example.com')).not.toThrow(); // ZWJ after virama
    expect(() => parseJid('a\u200db@example.com')).toThrow(JidError);
  });

  it('RFC 5893: right-to-left localparts must not mix in left-to-right letters', () => {
    expect(parseJid('مثال@example.com').local).toBe('مثال');
    expect(() => parseJid('مثالabc@example.com')).toThrow(JidError);
  });
});

describe('parseJid: domainpart', () => {
  it('RFC 7622 §3.2: strips one trailing dot', () => {
    expect(parseJid('juliet@example.com.').equals(parseJid('juliet@example.com'))).toBe(true);
    expect(parseJid('example.com./r').toString()).toBe('example.com/r');
    expect(() => parseJid('juliet@example.com..')).toThrow(JidError);
    expect(() => parseJid('.')).toThrow(JidError);
  });

  it('RFC 7622 §3.2: lower-cases and width-maps the domain', () => {
    expect(parseJid('EXAMPLE.Com').domain).toBe('example.com');
    expect(parseJid('ｅｘａｍｐｌｅ．ｃｏｍ').domain).toBe('example.com');
  });

  it('RFC 7622 §3.2: accepts IPv4 literals and rejects malformed ones', () => {
    expect(parseJid('juliet@192.0.2.1/x').domain).toBe('192.0.2.1');
    expect(() => parseJid('juliet@192.0.2.256')).toThrow(JidError);
    expect(() => parseJid('juliet@192.0.2')).toThrow(JidError);
  });

  it('RFC 7622 §3.2: accepts bracketed IPv6 literals in canonical text form', () => {
    const jid = parseJid('juliet@[2001:DB8:0:0::1]/res');
    expect(jid.domain).toBe('[2001:db8::1]');
    expect(jid.resource).toBe('res');
    expect(jid.equals(parseJid('juliet@[2001:db8::1]/res'))).toBe(true);
    expect(() => parseJid('juliet@[2001:db8::g]')).toThrow(JidError);
    expect(() => parseJid('juliet@[2001:db8::1')).toThrow(JidError);
    expect(() => parseJid('juliet@2001:db8::1')).toThrow(JidError);
  });

  it('RFC 7622 §3.2: converts A-labels to U-labels so both spellings are equal', () => {
    expect(parseJid('juliet@xn--fuball-cta.example').domain).toBe('fußball.example');
    expect(parseJid('juliet@FUßBALL.example').domain).toBe('fußball.example');
    expect(parseJid('例え.テスト').domain).toBe('例え.テスト');
    expect(() => parseJid('xn--abc.example')).toThrow(JidError);
  });

  it('RFC 7622 §3.2: rejects characters not allowed in hostnames', () => {
    for (const bad of ['exa mple.com', 'a!b.com', '-a.com', 'a-.com', 'ab--c.com', '♚.example', 'a..b', 'ex\u00adample.com']) {
      expect(() => parseJid(bad), bad).toThrow(JidError);
    }
  });

  it('allows underscore in domain labels', () => {
    expect(parseJid('a_b.example.com').domain).toBe('a_b.example.com');
  });

  it('RFC 7622 §3.2: limits labels to 63 octets and the domain to 1023', () => {
    expect(parseJid(`${'a'.repeat(63)}.com`).domain).toHaveLength(67);
    expect(() => parseJid(`${'a'.repeat(64)}.com`)).toThrow(JidError);
    const label = 'a'.repeat(63);
    const maxDomain = Array.from({ length: 16 }, () => label).join('.'); // 16 * 63 + 15 = 1023
    expect(parseJid(maxDomain).domain).toBe(maxDomain);
    expect(() => parseJid(`a${maxDomain}`)).toThrow(JidError);
  });
});

describe('parseJid: resourcepart', () => {
  it('RFC 7622 §3.4: keeps everything after the first slash, including @ and /', () => {
    expect(parts('juliet@example.com/a@b/c/d')).toEqual(['juliet', 'example.com', 'a@b/c/d']);
    expect(parts('example.com/@')).toEqual(['', 'example.com', '@']);
  });

  it('RFC 7622 §3.4: preserves case and width, maps non-ASCII spaces, rejects controls', () => {
    expect(parseJid('a@example.com/Home PC').resource).toBe('Home PC');
    expect(parseJid('a@example.com/ＲＥＳ').resource).toBe('ＲＥＳ');
    expect(parseJid('a@example.com/a\u3000b').resource).toBe('a b');
    expect(() => parseJid('a@example.com/a\u0007b')).toThrow(JidError);
    expect(() => parseJid('a@example.com/a\u200bb')).toThrow(JidError);
  });
});

describe('parseJid: byte-length limits measured in UTF-8', () => {
  it('RFC 7622 §3.3: localpart is at most 1023 octets', () => {
    expect(parseJid(`${'a'.repeat(1023)}@example.com`).local).toHaveLength(1023);
    expect(() => parseJid(`${'a'.repeat(1024)}@example.com`)).toThrow(JidError);
    // é is two octets: 511 of them plus one ASCII letter is exactly 1023.
    expect(() => parseJid(`${'é'.repeat(511)}a@example.com`)).not.toThrow();
    expect(() => parseJid(`${'é'.repeat(512)}@example.com`)).toThrow(JidError);
  });

  it('RFC 7622 §3.4: resourcepart is at most 1023 octets', () => {
    expect(() => parseJid(`a@example.com/${'♚'.repeat(341)}`)).not.toThrow(); // 3 octets each
    expect(() => parseJid(`a@example.com/${'♚'.repeat(342)}`)).toThrow(JidError);
    expect(() => parseJid(`a@example.com/${'x'.repeat(1024)}`)).toThrow(JidError);
  });

  it('rejects very long input without preparing it', () => {
    expect(() => parseJid(`a@example.com/${'x'.repeat(100_000)}`)).toThrow(JidError);
  });
});

describe('Jid', () => {
  it('compares by prepared parts', () => {
    expect(parseJid('Juliet@Example.com/Balcony').equals(parseJid('juliet@example.com/Balcony'))).toBe(true);
    expect(parseJid('juliet@example.com/balcony').equals(parseJid('juliet@example.com/Balcony'))).toBe(false);
    expect(parseJid('juliet@example.com').equals(parseJid('juliet@example.com/x'))).toBe(false);
    expect(parseJid('example.com').equals(parseJid('juliet@example.com'))).toBe(false);
  });

  it('bare drops the resource and returns itself when already bare', () => {
    const full = parseJid('juliet@example.com/balcony');
    expect(full.isBare).toBe(false);
    expect(full.bare.toString()).toBe('juliet@example.com');
    expect(full.bare.isBare).toBe(true);
    expect(full.bare).toBe(full.bare);
    const bare = parseJid('juliet@example.com');
    expect(bare.bare).toBe(bare);
    expect(full.toBareString()).toBe('juliet@example.com');
  });

  it('isDomain only for a domain without local or resource', () => {
    expect(parseJid('example.com').isDomain).toBe(true);
    expect(parseJid('example.com/r').isDomain).toBe(false);
    expect(parseJid('a@example.com').isDomain).toBe(false);
  });

  it('withResource validates and prepares the new resource', () => {
    const bare = parseJid('juliet@example.com');
    const full = bare.withResource('a\u3000b');
    expect(full.toString()).toBe('juliet@example.com/a b');
    expect(full.bare.equals(bare)).toBe(true);
    expect(() => bare.withResource('')).toThrow(JidError);
    expect(() => bare.withResource('bad\u0000')).toThrow(JidError);
  });

  it('toString is stable and round-trips', () => {
    const jid = parseJid('Σ@Example.com./Home');
    expect(jid.toString()).toBe('σ@example.com/Home');
    expect(jid.toString()).toBe(jid.toString());
    expect(parseJid(jid.toString()).equals(jid)).toBe(true);
  });

  it('parses repeated input consistently while the cache turns over', () => {
    const first = parseJid('Romeo@Example.net/Garden');
    for (let i = 0; i < 10_000; i++) parseJid(`user${i}@example.net`);
    expect(parseJid('Romeo@Example.net/Garden').equals(first)).toBe(true);
    expect(() => parseJid('@example.net')).toThrow(JidError); // failures are never cached
    expect(() => parseJid('@example.net')).toThrow(JidError);
  });

  it('cannot be constructed directly', () => {
    const Ctor = parseJid('example.com').constructor as new (...args: unknown[]) => unknown;
    expect(() => new Ctor('a', 'example.com', '', undefined)).toThrow(JidError);
  });
});

describe('createJid and tryParseJid', () => {
  it('createJid validates and prepares each part', () => {
    expect(createJid('Juliet', 'Example.com', 'r').toString()).toBe('juliet@example.com/r');
    expect(createJid('', 'example.com').isDomain).toBe(true);
    expect(createJid('juliet', 'example.com', '').isBare).toBe(true);
    expect(() => createJid('a@b', 'example.com')).toThrow(JidError);
    expect(() => createJid('juliet', '')).toThrow(JidError);
    expect(() => createJid('juliet', 'example.com', 'x\u0000')).toThrow(JidError);
  });

  it('createJid treats separators as data, not structure', () => {
    expect(createJid('', 'example.com', 'a/b@c').resource).toBe('a/b@c');
    expect(() => createJid('', 'example.com/x')).toThrow(JidError);
  });

  it('tryParseJid returns undefined instead of throwing', () => {
    expect(tryParseJid(undefined)).toBeUndefined();
    expect(tryParseJid('@bad')).toBeUndefined();
    expect(tryParseJid('a@example.com')?.local).toBe('a');
  });
});

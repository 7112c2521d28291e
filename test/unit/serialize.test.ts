import { describe, expect, it } from 'vitest';
import { Element, xml } from '../../src/xml/element.js';
import { escapeAttribute, escapeText, serialize } from '../../src/xml/serialize.js';

// A small deterministic generator, so a failure reproduces.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const PIECES = ['a', 'body', ' ', 'x y', '&', '<', '>', '"', "'", '&amp;', 'é', '中', '😀', '\t', '\n', ']]>', ''];

function text(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function element(next: () => number, depth: number): Element {
  const attrs: Record<string, string> = {};
  const n = Math.floor(next() * 4);
  for (let i = 0; i < n; i++) attrs[['id', 'to', 'from', 'xmlns', 'xml:lang', 'type'][i]!] = text(next);
  const el = new Element(['message', 'body', 'x', 'ns:y'][Math.floor(next() * 4)]!, attrs);
  const children = depth > 0 ? Math.floor(next() * 4) : 0;
  for (let i = 0; i < children; i++) {
    if (next() < 0.5) el.cnode(element(next, depth - 1));
    else el.t(text(next));
  }
  return el;
}

describe('serialize', () => {
  it("gives exactly ltx's toString() for 5,000 generated elements", () => {
    const next = random(42);
    for (let i = 0; i < 5000; i++) {
      const el = element(next, 3);
      expect(serialize(el)).toBe(el.toString());
    }
  });

  it('escapes the five special characters in attributes and &, <, > in text', () => {
    const el = xml('m', { a: `<"&'>` }, `<"&'>`);
    expect(serialize(el)).toBe(`<m a="&lt;&quot;&amp;&apos;&gt;">&lt;"&amp;'&gt;</m>`);
    expect(escapeAttribute('plain')).toBe('plain');
    expect(escapeText('a & b')).toBe('a &amp; b');
  });

  it('writes numbers, drops null and undefined attributes, and self-closes an element without children', () => {
    const el = new Element('iq', { id: 7 as unknown as string, to: undefined as unknown as string, type: 'get' });
    expect(serialize(el)).toBe(el.toString());
    expect(serialize(el)).toBe('<iq id="7" type="get"/>');
  });
});

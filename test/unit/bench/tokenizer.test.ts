import { describe, expect, it } from 'vitest';
import { StanzaTokenizer, childText, stanzaName, topAttr } from '../../../src/bench/tokenizer.js';

const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' version='1.0'>";
const stanzas = [
  "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
  "<message to='b@localhost' id='7' type='chat'><body>7 123.456</body><x a='1 > 0'/></message>",
  "<presence from='a@localhost/r' id=\"p&amp;1\"/>",
  "<iq type='result' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@localhost/r</jid></bind></iq>",
  '<message><body>caf\u00e9 \u{1F600}</body></message>',
];
const stream = `${header}${stanzas.join('\n')}</stream:stream>`;

function tokenize(chunks: Buffer[]): { headers: number; out: string[]; ended: boolean } {
  const out: string[] = [];
  let headers = 0;
  let ended = false;
  const t = new StanzaTokenizer({ onStanza: (s) => out.push(s), onHeader: () => headers++, onEnd: () => (ended = true) });
  for (const c of chunks) t.feed(c);
  return { headers, out, ended };
}

describe('bench stanza tokenizer', () => {
  it('finds every stanza when the stream arrives in one chunk', () => {
    expect(tokenize([Buffer.from(stream)])).toEqual({ headers: 1, out: stanzas, ended: true });
  });

  it('finds the same stanzas when split at every byte', () => {
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(tokenize([bytes.subarray(0, cut), bytes.subarray(cut)]).out).toEqual(stanzas);
    }
    expect(tokenize([...bytes].map((b) => Buffer.from([b]))).out).toEqual(stanzas);
  });

  it('treats a restarted stream as a new header, with no reset', () => {
    const restarted = `${header}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>${header}${stanzas[0]}`;
    expect(tokenize([Buffer.from(restarted)])).toMatchObject({ headers: 2, out: ["<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", stanzas[0]] });
  });

  it('reads names, top-level attributes and child text cheaply', () => {
    expect(stanzaName(stanzas[0]!)).toBe('stream:features');
    expect(stanzaName(stanzas[2]!)).toBe('presence');
    expect(topAttr(stanzas[1]!, 'id')).toBe('7');
    expect(topAttr(stanzas[1]!, 'a')).toBeUndefined(); // only the top-level tag
    expect(topAttr(stanzas[2]!, 'id')).toBe('p&1');
    expect(childText(stanzas[3]!, 'jid')).toBe('a@localhost/r');
    expect(childText(stanzas[1]!, 'body')).toBe('7 123.456');
  });
});

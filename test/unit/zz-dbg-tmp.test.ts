import { it } from 'vitest';
import { createStreamParser } from '../../src/xml/stream-parser.js';
it('dbg', () => {
  const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='x'>";
  for (const doc of [HEADER + "<message to='a@b' id='x&amp;1'><body>héllo &lt; 中 😀 <![CDATA[c]]d]]></body><x:y xmlns:x='urn:x' x:a='1'/></message>\n <iq type='get'><q xmlns='q'/></iq></stream:stream>", HEADER + "<message/>", "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"]) {
  const p = createStreamParser({ maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 8 }, {
    streamStart: (a) => console.log('start', a), stanza: (e) => console.log('stanza', e.toString()),
    streamEnd: () => console.log('end'), error: (e) => console.log('error', e.condition, e.text, e.stack),
  });
  p.write(Buffer.from(doc));
  }
});

import { describe, expect, it } from 'vitest';
import { buildElement, buildStartTag } from '../../src/xml/element-builder.js';

describe('the shared element builder', () => {
  it('builds complete elements and stream start tags one after another', () => {
    const header = buildStartTag("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='a.test'>");
    expect(header.attrs.to).toBe('a.test');
    const message = buildElement("<message to='b@a.test'><body>hi &amp; bye</body></message>");
    expect(message.getChildText('body')).toBe('hi & bye');
    expect(message.parent).toBeFalsy();
  });

  it('is usable again after a source it could not build', () => {
    expect(() => buildElement('<a><b/>')).toThrow(/could not be built/);
    // ltx throws on an entity it cannot decode, midway through a tag's text.
    expect(() => buildElement('<a>&nope;</a>')).toThrow(/could not be built/);
    const next = buildElement("<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>");
    expect(next.name).toBe('iq');
    expect(next.getChild('ping', 'urn:xmpp:ping')).toBeTruthy();
    expect(next.children).toHaveLength(1);
  });
});

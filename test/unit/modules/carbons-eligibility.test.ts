// XEP-0280 §6 eligibility, case by case (the one-pass check must answer as the rules read).
import { describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { parseJid, type Jid } from '../../../src/protocol/jid.js';
import { isEligible, type CarbonDirection } from '../../../src/modules/carbons/eligibility.js';

const NS_CARBONS = 'urn:xmpp:carbons:2';
const MUC_USER = 'http://jabber.org/protocol/muc#user';
const body = () => xml('body', null, 'hi');
const message = (type: string | undefined, ...children: Element[]) => xml('message', { type }, ...children);
const contact = parseJid('juliet@example.org/balcony');
const occupant = parseJid('room@muc.example.org/nurse');
const room = parseJid('room@muc.example.org');

describe('XEP-0280 §6 eligibility', () => {
  // [what, message, direction, eligible, from (a contact unless given)]
  const cases: Array<[string, Element, CarbonDirection, boolean, Jid?]> = [
    ['chat', message('chat'), 'received', true],
    ['normal with a body', message(undefined, body()), 'received', true],
    ['normal without a body', message('normal', xml('subject', null, 's')), 'received', false],
    ['normal with a chat state', message(undefined, xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })), 'sent', true],
    ['normal with a chat marker', message(undefined, xml('displayed', { xmlns: 'urn:xmpp:chat-markers:0', id: 'x' })), 'received', true],
    ['headline', message('headline', body()), 'received', false],
    ['groupchat', message('groupchat', body()), 'received', false],
    ['error', message('error', body()), 'received', false],
    ['§9 private', message('chat', body(), xml('private', { xmlns: NS_CARBONS })), 'sent', false],
    ['XEP-0334 no-copy', message('chat', body(), xml('no-copy', { xmlns: 'urn:xmpp:hints' })), 'received', false],
    ['a carbon (received)', message('chat', xml('received', { xmlns: NS_CARBONS })), 'received', false],
    ['a carbon (sent)', message(undefined, body(), xml('sent', { xmlns: NS_CARBONS })), 'received', false],
    ['a mediated invitation', message(undefined, xml('x', { xmlns: MUC_USER }, xml('invite', { from: 'a@x' }))), 'received', true],
    ['a direct invitation', message(undefined, xml('x', { xmlns: 'jabber:x:conference', jid: 'room@muc.example.org' })), 'received', true],
    ['a private invitation is still no-copy', message(undefined, xml('x', { xmlns: MUC_USER }, xml('invite')), xml('no-copy', { xmlns: 'urn:xmpp:hints' })), 'received', false],
    ['a private message from an occupant', message('chat', body(), xml('x', { xmlns: MUC_USER })), 'received', false, occupant],
    ['a private message to an occupant', message('chat', body(), xml('x', { xmlns: MUC_USER })), 'sent', true],
    ['a muc#user message from the room itself', message('chat', body(), xml('x', { xmlns: MUC_USER })), 'received', true, room],
  ];
  for (const [what, stanza, direction, eligible, from = contact] of cases) {
    it(`${what} (${direction}): ${eligible ? 'copied' : 'not copied'}`, () => {
      expect(isEligible(stanza, direction, from)).toBe(eligible);
    });
  }
});

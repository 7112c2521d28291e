// XEP-0280 Message Carbons: clients opt in per session; the server then copies the messages their
// account sends and receives to them. The per-session switch lives in the SessionRef flags so
// copies can be made on whichever node handles the message.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import type { MessageDeliveredEvent, StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { CARBONS_FLAG, carbonsEnabled, sendCarbon } from './copies.js';
import { NS_CARBONS, isEligible, type CarbonDirection } from './eligibility.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { sessionsOfAccountNow } from '../../core/sessions/session-registry.js';
import type { Element } from '../../xml/element.js';
import type { Jid } from '../../protocol/jid.js';

export const carbonsModule: HeraldModule = {
  name: 'carbons',
  enabledByDefault: true,
  load(ctx) {
    // §3: advertised by the server itself.
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS_CARBONS);
    });

    // §4/§5: clients send these without 'to' (their bare JID); a 'to' of their server is accepted too.
    for (const target of ['account', 'host'] as const) {
      ctx.handleIq({ target, type: 'set', xmlns: NS_CARBONS, name: 'enable', handler: (request) => toggle(ctx, request, true) });
      ctx.handleIq({ target, type: 'set', xmlns: NS_CARBONS, name: 'disable', handler: (request) => toggle(ctx, request, false) });
    }

    // XEP-0386 §2.2: enabled inline at Bind 2 (no answer in <bound/>: enabling cannot fail).
    ctx.on('c2s/inline-features', (event) => void event.features.add(NS_CARBONS));
    ctx.on('session/inline-enable', async ({ session, request }) => {
      if (request.getChild('enable', NS_CARBONS) === undefined) return;
      session.flags[CARBONS_FLAG] = '1';
      await ctx.sessions.update(session.ref());
    });

    // §8: copies of what a local client sends. Never claims: routing carries on unchanged, and the
    // <private/> element stays in the routed message (1.0 dropped the requirement to strip it).
    for (const address of ['full', 'bare', 'host'] as const) {
      ctx.on(`pre-message/${address}`, (event) => sentCarbons(ctx, event));
    }

    // §7: copies of what was delivered to a local account.
    ctx.on('message/delivered', (event) => deliveredCarbons(ctx, event));
  },
};

/** §10.1: repeated enables or disables are no errors, so this just sets the state. */
async function toggle(ctx: ModuleContext, request: IqRequest, enable: boolean): Promise<null> {
  const session = request.origin;
  // §4.1/§5.1: not-allowed for clients of other servers and for another account's carbons.
  const own = session && (request.to.isDomain ? request.to.domain === session.jid.domain : request.to.equals(session.jid.bare));
  if (!session || !own) throw new StanzaError('not-allowed');
  if (enable) session.flags[CARBONS_FLAG] = '1';
  else delete session.flags[CARBONS_FLAG];
  await ctx.sessions.update(session.ref());
  return null;
}

// Both directions run for every message: one look-up of the account's sessions (by the Jid's kept
// string, so the registry's map does not hash a new one), then copies only to those with carbons
// enabled. Usually there are none, and then the message is not even inspected: the look-up comes
// before the eligibility rules, which walk the message's children. When the registry knows the
// sessions at once (one node), nothing here waits: no promise, no microtask per message.

/** `use` of the account's sessions, synchronously when the registry can answer without waiting. */
function withSessions(ctx: ModuleContext, bareJid: string, use: (refs: readonly SessionRef[]) => void | Promise<void>): void | Promise<void> {
  const refs = sessionsOfAccountNow(ctx.sessions, bareJid);
  return refs instanceof Promise ? refs.then(use) : use(refs);
}

function sentCarbons(ctx: ModuleContext, event: StanzaEvent): void | Promise<void> {
  const { origin, stanza, from, to } = event;
  if (!origin) return;
  // Between resources of the same account the recipients are only known after delivery, so those
  // copies are made there (each resource then gets the message once, original or carbon).
  if (to.bare.equals(from.bare)) return;
  return withSessions(ctx, from.bare.toString(), (refs) => {
    if (!refs.some(carbonsEnabled) || !isEligible(stanza, 'sent', from)) return;
    // §8: every carbons-enabled resource except the sending one, whether or not it enabled carbons.
    return sendCarbons(ctx, 'sent', stanza, from.bare, refs, (ref) => ref.id !== origin.id);
  });
}

function deliveredCarbons(ctx: ModuleContext, event: MessageDeliveredEvent): void | Promise<void> {
  const { stanza, from, to, recipients } = event;
  // A message from one resource of the account to another is, for the others, one the account sent.
  const ownMessage = from.bare.equals(to.bare);
  const direction = ownMessage ? 'sent' : 'received';
  return withSessions(ctx, to.bare.toString(), (refs) => {
    if (!refs.some(carbonsEnabled) || !isEligible(stanza, direction, from)) return;
    // §7: not to the resources that got the original; §8: not back to the sender.
    const wanted = (ref: SessionRef) => !recipients.some((r) => r.id === ref.id) && !(ownMessage && ref.jid === from.toString());
    return sendCarbons(ctx, direction, stanza, to.bare, refs, wanted);
  });
}

/** A carbon to each carbons-enabled session in `refs` that `wanted` accepts, one after another. */
async function sendCarbons(ctx: ModuleContext, direction: CarbonDirection, stanza: Element, account: Jid, refs: readonly SessionRef[], wanted: (ref: SessionRef) => boolean): Promise<void> {
  for (const ref of refs) if (carbonsEnabled(ref) && wanted(ref)) await sendCarbon(ctx, direction, stanza, account, ref);
}

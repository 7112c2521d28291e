// XEP-0352 Client State Indication: a client that says it is <inactive/> (a phone in a pocket)
// gets only what is urgent at once; presence updates (the latest per contact resource), chat
// states and other chatter wait in its session until something urgent comes, it says <active/>,
// or `queueSize` stanzas are waiting; then everything goes, in the order it was sent. The core
// keeps the held stanzas (LocalSession.setOutboundFilter); this module only decides.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { OutboundDecision, OutboundFilter } from '../../core/sessions/outbound-filter.js';
import { positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_CSI, urgencyOf } from './importance.js';

/** Prosody's mod_csi_simple default: a burst of presence at login fits, a day of chatter does not. */
const DEFAULT_QUEUE_SIZE = 256;

export const csiModule: HeraldModule = {
  name: 'csi',
  enabledByDefault: true,
  load(ctx) {
    rejectUnknownOptions(ctx, ['queueSize']);
    const queueSize = positiveIntegerOption(ctx, 'queueSize', DEFAULT_QUEUE_SIZE);

    // §4.1: a stream feature once authenticated; XEP-0386: also an inline Bind 2 feature.
    ctx.on('c2s/features', (event) => {
      if (event.stage === 'post-auth') event.features.push(xml('csi', { xmlns: NS_CSI }));
    });
    ctx.on('c2s/inline-features', (event) => void event.features.add(NS_CSI));

    // §4.2: <active/> and <inactive/> are nonzas, processed in order with the client's stanzas.
    ctx.on('c2s/nonza', ({ session, element }) => {
      if (element.attrs.xmlns !== NS_CSI) return false;
      if (element.name === 'inactive') becomeInactive(ctx, session, queueSize);
      else if (element.name === 'active') session.setOutboundFilter(undefined);
      else return false; // not ours: the client gets the stream error for an unknown element
      return true;
    });

    // XEP-0386 §"Inline features": <inactive/> inside <bind/> starts the session inactive.
    ctx.on('session/inline-enable', ({ session, request }) => {
      if (request.getChild('inactive', NS_CSI)) becomeInactive(ctx, session, queueSize);
    });
  },
};

function becomeInactive(ctx: ModuleContext, session: LocalSession, queueSize: number): void {
  const domain = session.jid.domain;
  const filter: OutboundFilter = {
    decide(stanza: Element, held: number): OutboundDecision {
      // At the bound the client gets everything: memory stays bounded and nothing is lost.
      if (held >= queueSize) return { hold: false };
      const urgency = urgencyOf(stanza);
      if (urgency.urgent) return { hold: false };
      return { hold: true, instead: stampedNow(stanza, domain, ctx.clock.now()), ...(urgency.supersedes ? { supersedes: urgency.supersedes } : {}) };
    },
  };
  session.setOutboundFilter(filter);
}

/** XEP-0203: a held stanza says when the server got it, unless an earlier delay already does. */
function stampedNow(stanza: Element, domain: string, now: number): Element {
  if (stanza.name === 'iq' || stanza.getChild('delay', NS.delay)) return stanza;
  const copy = cloneElement(stanza);
  copy.append(xml('delay', { xmlns: NS.delay, from: domain, stamp: new Date(now).toISOString() }));
  return copy;
}

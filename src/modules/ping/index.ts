// XEP-0199 XMPP Ping: a client checks that its server is still there.
import { NS } from '../../xml/ns.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { HeraldModule } from '../../core/modules/module.js';

export const pingModule: HeraldModule = {
  name: 'ping',
  enabledByDefault: true,

  load(ctx) {
    // XEP-0199 §4.2: the server answers with an empty result.
    ctx.handleIq({ target: 'host', type: 'get', xmlns: NS.ping, name: 'ping', handler: () => null });
    // XEP-0199 §4.2 note: a ping to the user's bare JID, or with no 'to', is the server's to
    // answer too. RFC 6121 §8.5.1: an account that does not exist answers service-unavailable.
    ctx.handleIq({
      target: 'account',
      type: 'get',
      xmlns: NS.ping,
      name: 'ping',
      handler: async ({ to }) => {
        if (!(await ctx.accounts.exists(to.bare))) throw new StanzaError('service-unavailable');
        return null;
      },
    });
    // XEP-0199 §5: support is advertised through disco#info.
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS.ping);
    });
  },
};

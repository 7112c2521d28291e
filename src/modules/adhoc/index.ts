// XEP-0050 Ad-Hoc Commands on served domains: discovery (§2) and execution (§3.4). The module
// only frames the protocol; commands come from other modules through `adhoc/list` and
// `adhoc/execute`, so each command lives with the feature it belongs to.
import type { AdhocExecuteEvent, AdhocListEvent } from '../../core/events.js';
import type { HeraldModule } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';

export const adhocModule: HeraldModule = {
  name: 'adhoc',
  enabledByDefault: true,

  load(ctx) {
    const list = async (domain: string, requester: Jid): Promise<AdhocListEvent['commands']> => {
      const event: AdhocListEvent = { domain, requester, commands: [] };
      await ctx.fire('adhoc/list', event);
      return event.commands;
    };

    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS.adhoc);
    });
    // §2.1: the commands node lists what this requester may run.
    ctx.on('disco/items', async (event) => {
      if (event.target !== 'host' || event.node !== NS.adhoc) return false;
      for (const c of await list(event.jid.domain, event.requester)) event.items.push({ jid: event.jid.domain, node: c.node, name: c.name });
      return true;
    });

    ctx.handleIq({
      target: 'host',
      type: 'set',
      xmlns: NS.adhoc,
      name: 'command',
      handler: async ({ payload, from, to }) => {
        const node = payload.attrs.node as string | undefined;
        if (!node) throw new StanzaError('bad-request', "the command needs a 'node'");
        // §4.4: a command the requester may not run is one that does not exist for it.
        const offered = await list(to.domain, from);
        if (!offered.some((c) => c.node === node)) throw new StanzaError('item-not-found', `no command '${node}' here for ${from.toBareString()}`);
        // §3.4.3: cancelling ends the session; nothing was kept for it.
        if (payload.attrs.action === 'cancel') return xml('command', { xmlns: NS.adhoc, node, sessionid: payload.attrs.sessionid, status: 'canceled' });
        const event: AdhocExecuteEvent = { domain: to.domain, requester: from, node, command: payload };
        if (!(await ctx.fire('adhoc/execute', event)) || !event.reply) throw new StanzaError('item-not-found', `no command '${node}' here`);
        return event.reply;
      },
    });
  },
};

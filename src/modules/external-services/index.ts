// XEP-0215 External Service Discovery: the STUN and TURN servers a client should use for calls
// (Jingle ICE), with time-limited TURN credentials under the TURN REST scheme coturn implements
// (`use-auth-secret`): username "<expiry>:<account>", password base64(HMAC-SHA1(secret,
// username)). The TURN server checks them with the same secret, so nothing is stored here.
// Announced only when services are configured.
import { createHmac } from 'node:crypto';
import type { HeraldModule } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { Jid } from '../../protocol/jid.js';
import { xml, type Element } from '../../xml/element.js';
import { readExternalServicesOptions, type ExternalService, type ExternalServicesOptions } from './options.js';

export const NS_EXTDISCO = 'urn:xmpp:extdisco:2';

export const externalServicesModule: HeraldModule = {
  name: 'external-services',
  enabledByDefault: true,
  load(ctx) {
    const options = readExternalServicesOptions(ctx);
    if (options.services.length === 0) return; // nothing to announce: not advertised either

    // §5: support is advertised by the server.
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS_EXTDISCO);
    });

    const describe = (service: ExternalService, account: Jid): Element => serviceElement(service, options, account, ctx.clock.now());
    const queries: Record<'services' | 'credentials', (payload: Element, account: Jid) => Element> = {
      // §3.1/§3.2: all services, or those of one type.
      services: (payload, account) => {
        const type = payload.attrs.type;
        const chosen = options.services.filter((service) => type === undefined || service.type === type);
        return xml('services', { xmlns: NS_EXTDISCO, ...(type ? { type } : {}) }, chosen.map((service) => describe(service, account)));
      },
      // §3.3: credentials for one service, named by host (and type, when several share a host).
      credentials: (payload, account) => {
        const asked = payload.getChild('service');
        if (!asked?.attrs.host) throw new StanzaError('bad-request', "<credentials/> needs a <service host='…'/> naming the service");
        const found = options.services.find((s) => s.host === asked.attrs.host && (asked.attrs.type === undefined || s.type === asked.attrs.type) && s.restricted);
        if (!found) throw new StanzaError('item-not-found', `no restricted service at ${asked.attrs.host}${asked.attrs.type ? ` of type ${asked.attrs.type}` : ''}`);
        return xml('credentials', { xmlns: NS_EXTDISCO }, describe(found, account));
      },
    };
    for (const [name, answer] of Object.entries(queries)) {
      ctx.handleIq({ target: 'host', type: 'get', xmlns: NS_EXTDISCO, name, handler: (request) => answer(request.payload, localAccount(request, (domain) => ctx.hosts.has(domain))) });
    }
  },
};

/** Relays cost bandwidth: only this server's own users learn of them and get credentials. */
function localAccount(request: IqRequest, hosted: (domain: string) => boolean): Jid {
  if (!request.origin || !hosted(request.from.domain)) throw new StanzaError('forbidden', 'external services are offered to local users only');
  return request.from.bare;
}

function serviceElement(service: ExternalService, options: ExternalServicesOptions, account: Jid, now: number): Element {
  const attrs: Record<string, string | undefined> = {
    type: service.type,
    host: service.host,
    port: service.port === undefined ? undefined : String(service.port),
    transport: service.transport,
    name: service.name,
  };
  if (service.restricted && options.secret !== undefined) {
    // Credentials inline (§3.1 allows it), so a client needs one round trip, as with Prosody and ejabberd.
    Object.assign(attrs, { restricted: '1', ...turnCredentials(options.secret, account, now, options.ttlSeconds) });
  }
  return xml('service', attrs);
}

/** TURN REST credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`). */
export function turnCredentials(secret: string, account: Jid, now: number, ttlSeconds: number): { username: string; password: string; expires: string } {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${account.toString()}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expires: new Date(expiry * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

// XEP-0156 Discovering Alternative XMPP Connection Methods (HTTP lookup): a web client asks
// /.well-known/host-meta (XRD) or host-meta.json where the server's WebSocket endpoint is.
import type { HeraldModule } from '../../core/modules/module.js';
import type { HttpRequest } from '../../http/http-routes.js';
import { WEBSOCKET_PATH } from '../../http/websocket/websocket-endpoint.js';
import { rejectUnknownOptions, stringOption } from '../../core/modules/options.js';
import { xml } from '../../xml/element.js';
import { serialize } from '../../xml/serialize.js';

const XRD_NS = 'http://docs.oasis-open.org/ns/xri/xrd-1.0';
const WEBSOCKET_REL = 'urn:xmpp:alt-connections:websocket';

interface Link {
  rel: string;
  href: string;
}

export const hostMetaModule: HeraldModule = {
  name: 'host-meta',
  enabledByDefault: true,

  load(ctx) {
    rejectUnknownOptions(ctx, ['websocketUrl']);
    // For a deployment whose public address differs from what requests show.
    const configured = stringOption(ctx, 'websocketUrl', /^wss:\/\/[^/\s]+\/\S*$/, 'a wss:// URL such as wss://chat.example.org/xmpp-websocket');
    // WebSocket is served over TLS only, so a request that came in plain (no trusted proxy
    // vouching for HTTPS) is told of no endpoint rather than of one that would refuse it.
    const links = ({ origin }: HttpRequest): Link[] => {
      if (configured) return [{ rel: WEBSOCKET_REL, href: configured }];
      return origin.secure ? [{ rel: WEBSOCKET_REL, href: `wss://${origin.host}${WEBSOCKET_PATH}` }] : [];
    };
    // XEP-0156 §3: served with CORS so that a web client on another origin can read it.
    ctx.serveHttp({
      path: '/.well-known/host-meta',
      methods: ['GET'],
      cors: {},
      handle(request) {
        const body = `<?xml version='1.0' encoding='utf-8'?>\n${serialize(xml('XRD', { xmlns: XRD_NS }, ...links(request).map((l) => xml('Link', { ...l }))))}\n`;
        request.res.writeHead(200, { 'Content-Type': 'application/xrd+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        request.res.end(body);
      },
    });
    ctx.serveHttp({
      path: '/.well-known/host-meta.json',
      methods: ['GET'],
      cors: {},
      handle(request) {
        const body = `${JSON.stringify({ links: links(request) })}\n`;
        request.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        request.res.end(body);
      },
    });
  },
};

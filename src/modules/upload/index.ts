// XEP-0363 HTTP File Upload as a component domain, upload.<domain> for each hosted domain: slot
// requests over XMPP (component.ts), PUT and GET on the HTTP listener (http-put.ts, http-get.ts),
// files under <dataDir>/uploads, metadata and quotas in storage.uploads, and a periodic sweep
// deleting expired files (also those of removed accounts).
import type { HeraldModule } from '../../core/modules/module.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { plainAnswer } from '../../http/http-listener.js';
import { readUploadOptions } from './options.js';
import { createUploadFiles } from './files.js';
import { handleComponentStanza } from './component.js';
import { handlePut } from './http-put.js';
import { handleGet } from './http-get.js';
import { sweepExpired } from './sweep.js';

/** /upload/<slot id>/<file name>: slot ids are 18 random bytes in base64url. */
const FILE_PATH = /^\/upload\/([A-Za-z0-9_-]{24})\/[^/]+$/;

export const uploadModule: HeraldModule = {
  name: 'upload',
  enabledByDefault: true,

  load(ctx) {
    const options = readUploadOptions(ctx);
    const files = createUploadFiles(ctx.config.storage.dataDir);
    const uploads = ctx.storage.uploads;
    const now = () => ctx.clock.now();
    const componentOf = (domain: string) => `${options.subdomain}.${domain}`;

    for (const domain of ctx.hosts.names()) {
      const slotContext = () => {
        const baseUrl = options.url ?? ctx.httpsUrl(domain);
        if (baseUrl === undefined) return new StanzaError('service-unavailable', 'uploads need the HTTPS listener or modules.upload.options.url');
        return { uploads, options, now: now(), baseUrl };
      };
      ctx.serveDomain(componentOf(domain), (event) => handleComponentStanza({ domain, router: ctx.router, log: ctx.log, maxFileBytes: options.maxFileBytes, slotContext }, event));
    }
    // XEP-0363 §3: clients find the service among the server's disco#items.
    ctx.on('disco/items', (event) => {
      if (event.target === 'host' && event.node === undefined) event.items.push({ jid: componentOf(event.jid.domain), name: 'HTTP File Upload' });
    });

    ctx.serveHttp({
      path: '/upload/',
      prefix: true,
      methods: ['PUT', 'GET'],
      // Web clients upload and download from their own origin (XEP-0363 §5 CORS note).
      cors: { allowHeaders: ['Content-Type'], exposeHeaders: ['Content-Length', 'Content-Range', 'Accept-Ranges'] },
      async handle(request) {
        const id = FILE_PATH.exec(request.url.pathname)?.[1];
        if (id === undefined) return plainAnswer(request.res, 404, 'no such file\n');
        if (request.req.method === 'PUT') return handlePut({ uploads, files, expireAfterMs: options.expireAfterSeconds * 1000, now }, request, id);
        return handleGet({ uploads, files, now }, request, id);
      },
    });

    const sweep = () => void sweepExpired(uploads, files, now(), ctx.log).catch((error: unknown) => ctx.log.warn({ err: error }, 'upload sweep failed'));
    sweep();
    const timer = setInterval(sweep, options.sweepIntervalSeconds * 1000);
    timer.unref();
    ctx.onUnload(() => clearInterval(timer));
  },
};

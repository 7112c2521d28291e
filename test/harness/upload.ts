// XEP-0363 from the client's side for protocol tests: ask for a slot over XMPP, then PUT and GET
// over real HTTPS (Herald's self-signed certificate is not verified).
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let ids = 0;

/** Sends a slot request to `service`; resolves with the IQ answer (result or error). */
export async function requestSlot(client: XmlClient, service: string, file: { filename: string; size: number; contentType?: string }): Promise<Element> {
  const id = `slot-${++ids}`;
  const type = file.contentType === undefined ? '' : ` content-type='${file.contentType}'`;
  client.send(`<iq type='get' id='${id}' to='${service}'><request xmlns='${NS_UPLOAD}' filename='${file.filename}' size='${file.size}'${type}/></iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

export function slotUrls(answer: Element): { put: string; get: string } {
  const slot = answer.getChild('slot', NS_UPLOAD);
  const put = slot?.getChild('put')?.attrs.url as string | undefined;
  const get = slot?.getChild('get')?.attrs.url as string | undefined;
  if (!put || !get) throw new Error(`no slot in ${answer.toString()}`);
  return { put, get };
}

/** The URL with its host replaced by 127.0.0.1 (the test server listens there; 'localhost' may resolve to ::1). */
export function onLoopback(url: string): URL {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  return u;
}

export function httpRequest(method: string, url: string, options: { headers?: Record<string, string | number>; body?: Buffer | Readable } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(onLoopback(url), { method, headers: options.headers ?? {}, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

// Plain-HTTP requests to a test server's loopback listener (metrics, admin console).
import http from 'node:http';

export interface PlainAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpCall(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<PlainAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const httpGet = (port: number, path: string, headers: Record<string, string> = {}): Promise<PlainAnswer> => httpCall(port, 'GET', path, headers);

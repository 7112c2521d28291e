// Small helpers for the few HTML pages Herald serves (invitation landing page, admin console):
// escaping, a page frame, and reading a url-encoded form body with a size bound.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A whole page; `body` must already be escaped HTML. */
export function htmlPage(title: string, body: string, style = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.button{display:inline-block;padding:.6rem 1.2rem;background:#1f6feb;color:#fff;border-radius:.4rem;text-decoration:none;border:0;font-size:1rem;cursor:pointer}
label{display:block;margin:.6rem 0 .2rem}input{font-size:1rem;padding:.4rem;width:100%;max-width:20rem}
.error{color:#b00020}.note{color:#555;font-size:.9rem}${style}</style></head>
<body>${body}</body></html>
`;
}

/**
 * Answers with a page. No caching (the page may carry a secret token), no framing by other
 * sites, and no script or style from anywhere but inline styles.
 */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ...headers,
  });
  res.end(html);
}

export class FormBodyError extends Error {}

/** Reads an application/x-www-form-urlencoded body of at most `maxBytes`. */
export async function readFormBody(req: IncomingMessage, maxBytes: number): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new FormBodyError('expected a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new FormBodyError(`the form is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

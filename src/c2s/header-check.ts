// Checks an initiating entity's stream header (RFC 6120 §4.7, §4.9.3).
import { StreamError } from '../protocol/stream-error.js';
import { tryParseJid } from '../protocol/jid.js';
import type { Hosts } from '../core/hosts.js';

export function checkStreamHeader(attrs: Record<string, string>, hosts: Hosts, contentNamespace: string): { domain: string } | StreamError {
  if (attrs.xmlns !== contentNamespace) {
    return new StreamError('invalid-namespace', `the content namespace must be '${contentNamespace}'`);
  }
  const to = attrs.to;
  if (to === undefined) return new StreamError('host-unknown', "the stream header has no 'to' attribute");
  const domain = tryParseJid(to);
  if (!domain || !domain.isDomain || !hosts.has(domain.domain)) {
    return new StreamError('host-unknown', `this server does not serve '${to}'`);
  }
  // §4.7.5: no version means pre-1.0; we speak only major version 1.
  const version = attrs.version;
  const match = version === undefined ? null : /^(\d+)\.(\d+)$/.exec(version);
  if (!match || Number(match[1]) !== 1) {
    return new StreamError('unsupported-version', `version '${version ?? '(none)'}' is not supported; this server speaks 1.0`);
  }
  return { domain: domain.domain };
}

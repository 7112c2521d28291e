// Does a peer certificate name an XMPP domain? RFC 6125 / RFC 6120 §13.7.1.2 reference
// identifiers: SRV-ID `_xmpp-server.<domain>`, xmppAddr, DNS-ID (one leftmost wildcard label),
// and the subject CN only when the certificate has no subjectAltName at all.
import type { X509Certificate } from 'node:crypto';
import { domainToASCII } from 'node:url';

export interface CertificateNames {
  dns: string[];
  xmppAddr: string[];
  srv: string[];
  commonName: string | undefined;
}

/** The names in a certificate, from Node's rendering of subjectAltName and subject. */
export function certificateNames(cert: X509Certificate): CertificateNames {
  const names: CertificateNames = { dns: [], xmppAddr: [], srv: [], commonName: undefined };
  for (const entry of splitAltNames(cert.subjectAltName ?? '')) {
    if (entry.startsWith('DNS:')) names.dns.push(entry.slice(4));
    else if (entry.startsWith('othername:XmppAddr:')) names.xmppAddr.push(entry.slice(19));
    else if (entry.startsWith('othername:SRVName:')) names.srv.push(entry.slice(18));
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  names.commonName = cn?.[1];
  return names;
}

export function namesMatchDomain(names: CertificateNames, domain: string): boolean {
  const ascii = toAscii(domain);
  if (names.srv.some((srv) => toAscii(srv) === `_xmpp-server.${ascii}`)) return true;
  if (names.xmppAddr.some((addr) => toAscii(addr) === ascii)) return true;
  if (names.dns.some((dns) => dnsMatches(toAscii(dns), ascii))) return true;
  const hasAltNames = names.dns.length + names.xmppAddr.length + names.srv.length > 0;
  return !hasAltNames && names.commonName !== undefined && dnsMatches(toAscii(names.commonName), ascii);
}

/** For error texts: what the certificate does name. */
export function describeNames(names: CertificateNames): string {
  const all = [...new Set([...names.dns, ...names.xmppAddr, ...names.srv.map((s) => s.replace(/^_xmpp-(server|client)\./, ''))])];
  if (all.length === 0 && names.commonName !== undefined) all.push(names.commonName);
  return all.length === 0 ? 'no names' : all.join(', ');
}

function dnsMatches(pattern: string, domain: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === domain;
  // A wildcard stands for exactly one whole leftmost label (RFC 6125 §6.4.3).
  const dot = domain.indexOf('.');
  return dot > 0 && domain.slice(dot + 1) === pattern.slice(2) && pattern.slice(2).includes('.');
}

function toAscii(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return domainToASCII(lower) || lower;
}

/** Node separates entries with ", " and quotes values that contain one; keep quoted parts whole. */
function splitAltNames(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',' && text[i + 1] === ' ') {
      out.push(current);
      current = '';
      i++;
    } else current += ch;
  }
  if (current !== '') out.push(current);
  return out.map((e) => e.replace(/^([^:]+(?::[A-Za-z]+)?:)"(.*)"$/, '$1$2'));
}

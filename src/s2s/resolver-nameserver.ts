// Nameserver addresses for the s2s resolver, shared with the configuration checks.
import net from 'node:net';

/** `ip`, `ip:port`, `[ip6]:port` → the form Resolver#setServers takes; throws on anything else. */
export function parseNameserver(text: string): string {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) {
    if (!net.isIPv6(bracketed[1]!) || !portOk(bracketed[2])) throw new Error(`not a nameserver address: ${text}`);
    return bracketed[2] === undefined ? bracketed[1]! : `[${bracketed[1]}]:${bracketed[2]}`;
  }
  if (net.isIPv6(text)) return text;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  if (v4 && net.isIPv4(v4[1]!) && portOk(v4[2])) return text;
  throw new Error(`not a nameserver address: ${text}`);
}

function portOk(port: string | undefined): boolean {
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

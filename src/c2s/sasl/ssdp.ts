// XEP-0474 SASL SCRAM Downgrade Protection: the server-first message carries a hash of the
// mechanisms and channel-binding types we advertised. The client compares it with what it saw,
// and the SCRAM proof signs it, so a man in the middle who trimmed either list is caught.
import { createHash } from 'node:crypto';
import type { ChannelBindingType } from './mechanism.js';

/** §4.1: the value of the `h` attribute, hashed with the SCRAM mechanism's own hash. */
export function downgradeProtectionHash(
  hash: 'sha1' | 'sha256',
  mechanisms: readonly string[],
  /** The XEP-0440 list we sent; empty when no <sasl-channel-binding/> was advertised. */
  channelBindingTypes: readonly ChannelBindingType[],
): string {
  // "i;octet" collation (RFC 4790 §9.3): plain byte order, which is what sort() gives for ASCII.
  let text = [...mechanisms].sort().join('\x1e');
  if (channelBindingTypes.length > 0) text += `\x1f${[...channelBindingTypes].sort().join('\x1e')}`;
  const key = `${hash} ${text}`;
  let value = computed.get(key);
  if (value === undefined) {
    value = createHash(hash).update(text, 'ascii').digest('base64');
    if (computed.size < MAX_REMEMBERED) computed.set(key, value);
  }
  return value;
}

/**
 * A server offers a handful of distinct lists (per TLS version and configuration), and every
 * SCRAM login needs one of their hashes: remember them. Bounded, though the inputs are ours.
 */
const computed = new Map<string, string>();
const MAX_REMEMBERED = 64;

// What the sender of a message for an unreachable peer is told when Herald stops trying (the
// deadline passed, or the failure cannot be mended by trying again) or cannot hold it at all.
import { StanzaError } from '../protocol/stanza-error.js';
import type { S2sRetryConfig } from '../config/types.js';
import type { HoldResult } from '../storage/types.js';

/** The last failure's condition and cause, and how long and how often Herald tried. */
export function undeliveredError(remote: string, lastError: StanzaError | undefined, attempts: number, deadlineSeconds: number, permanent: boolean): StanzaError {
  const reason = lastError?.text ?? `no link to ${remote} could be opened`;
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const text = permanent ? reason : `${reason} (not delivered within ${formatDuration(deadlineSeconds)}; ${tries})`;
  return new StanzaError(lastError?.condition ?? 'remote-server-timeout', text, lastError?.type);
}

/** Why a message was not held: which bound was reached (for resource-constraint). */
export function notHeldText(result: Exclude<HoldResult, 'held'>, remote: string, sender: string, retry: S2sRetryConfig): string {
  if (result === 'account-full') {
    return `${remote} cannot be reached and ${sender} already has as many messages waiting for unreachable servers as allowed (${retry.maxMessagesPerAccount} messages or ${retry.maxBytesPerAccount} bytes); this one was not sent`;
  }
  return `${remote} cannot be reached and ${retry.maxMessagesPerPeer} messages already wait for it; this one was not sent`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

// Waiting for a STARTTLS handshake, with a deadline: a peer that stops half-way (or never sends
// its first TLS record) must not hold the socket, and a shutdown waiting for it, forever.
import type { TLSSocket } from 'node:tls';

export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

/** Resolves once `secured` emits `done`; rejects on error, or destroys it after `timeoutMs`. */
export function awaitTlsHandshake(secured: TLSSocket, done: 'secure' | 'secureConnect', timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Both listeners go once either fires: a listener left on the socket would keep this
    // closure, its timer and the promise's functions alive for the whole session.
    const settle = (error?: Error) => {
      clearTimeout(timer);
      secured.off(done, onDone);
      secured.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onDone = () => settle();
    const onError = (error: Error) => settle(error);
    const timer = setTimeout(() => {
      const error = new Error(`TLS handshake not finished within ${timeoutMs / 1000} s`);
      secured.destroy(error);
      settle(error);
    }, timeoutMs);
    timer.unref();
    secured.once(done, onDone);
    secured.once('error', onError);
  });
}

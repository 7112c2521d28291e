// The listeners' gate for client connections: counts each against its address's limits and
// refuses the one over them as cheaply as possible, before any parser, stream or TLS state.
import type { Socket } from 'node:net';
import { NS } from '../xml/ns.js';
import { serialize } from '../xml/serialize.js';
import { StreamError } from '../protocol/stream-error.js';
import { STREAM_CLOSE, streamHeader } from '../stream/stream-header.js';
import type { Logger } from '../util/logger.js';
import type { ConnectionGate } from './c2s-listeners.js';
import { isRefusal, type AddressAdmission, type AddressLimits } from './address-limits.js';

/** How long a refused connection may linger for its peer to read the error and close. */
const REFUSED_LINGER_MS = 2_000;

function ignore(): void {}
function destroySocket(this: Socket): void {
  this.destroy();
}

/**
 * `answer`: on a plain listener the refused peer gets our stream header, `<policy-violation/>`
 * with the reason, and `</stream:stream>`: a few hundred bytes, no parsing. On direct TLS it
 * would first need a whole handshake (the costly part a flood wants us to spend), so the TCP
 * connection is simply closed.
 */
export function createAddressGate(limits: AddressLimits, log: Logger, answer: boolean): ConnectionGate<AddressAdmission> {
  return {
    admit(socket) {
      const outcome = limits.admit(socket.remoteAddress);
      if (!isRefusal(outcome)) return outcome;
      // One warning a minute per address; more would only flood the log during an attack.
      if (outcome.first) log.warn({ address: outcome.key }, `refusing connections: ${outcome.text}`);
      else log.debug({ address: outcome.key }, 'connection refused: per-address limit');
      socket.on('error', ignore);
      if (!answer) {
        socket.destroy();
        return undefined;
      }
      // Whatever the peer sends is read and dropped: unread input would turn our close into a
      // reset that can discard the error before the peer reads it.
      socket.resume();
      socket.setTimeout(REFUSED_LINGER_MS, destroySocket);
      const error = new StreamError('policy-violation', outcome.text);
      socket.end(streamHeader({ xmlns: NS.client }) + serialize(error.toElement()) + STREAM_CLOSE);
      return undefined;
    },
    release(admission) {
      limits.release(admission);
      log.debug({ address: admission.key, open: limits.counts(admission.key).connections }, 'client connection closed');
    },
  };
}

import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

/** RFC 6120 §4.9.3 defined stream error conditions. */
export type StreamErrorCondition =
  | 'bad-format'
  | 'bad-namespace-prefix'
  | 'conflict'
  | 'connection-timeout'
  | 'host-gone'
  | 'host-unknown'
  | 'improper-addressing'
  | 'internal-server-error'
  | 'invalid-from'
  | 'invalid-namespace'
  | 'invalid-xml'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'remote-connection-failed'
  | 'reset'
  | 'resource-constraint'
  | 'restricted-xml'
  | 'see-other-host'
  | 'system-shutdown'
  | 'undefined-condition'
  | 'unsupported-encoding'
  | 'unsupported-feature'
  | 'unsupported-stanza-type'
  | 'unsupported-version';

/** A fatal stream-level error: the stream is closed after it is sent. */
export class StreamError extends Error {
  constructor(
    readonly condition: StreamErrorCondition,
    readonly text?: string,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = 'StreamError';
  }

  /** `<stream:error>` as sent on the wire (RFC 6120 §4.9.2). */
  toElement(): Element {
    return xml(
      'stream:error',
      null,
      xml(this.condition, { xmlns: NS.streams }),
      this.text ? xml('text', { xmlns: NS.streams, 'xml:lang': 'en' }, this.text) : null,
    );
  }
}

// What one entry of a node's inbox holds: a single field, named by its kind, so an append is two
// arguments to Redis and a read decodes two strings, not six.
//   s → "<session id> <stanza XML>"  a stanza for a session on that node
//   c → "<session id> <condition>"   close that session with a stream error
//   n → "<stanza XML>"               a stanza for the node itself (e.g. an IQ answer it awaits)
// Session ids never hold a space, and XML never starts with one, so the first space splits them.
// Entries in the older six-field form (k, kind, sid, id, x, xml) are still read, so an inbox
// written before an upgrade is finished after it.

export type BusEntry = { kind: 's' | 'c'; sessionId: string; payload: string } | { kind: 'n'; payload: string };

export function stanzaEntry(sessionId: string, xml: string): string[] {
  return ['s', `${sessionId} ${xml}`];
}

export function closeEntry(sessionId: string, condition: string): string[] {
  return ['c', `${sessionId} ${condition}`];
}

export function nodeEntry(xml: string): string[] {
  return ['n', xml];
}

/** The entry's meaning, or undefined for one this version does not know. */
export function readBusEntry(fields: string[]): BusEntry | undefined {
  if (fields.length === 2) {
    const [kind, value] = fields as [string, string];
    if (kind === 'n') return { kind, payload: value };
    if (kind !== 's' && kind !== 'c') return undefined;
    const space = value.indexOf(' ');
    if (space < 0) return undefined;
    return { kind, sessionId: value.slice(0, space), payload: value.slice(space + 1) };
  }
  return readSixFieldEntry(fields);
}

function readSixFieldEntry(fields: string[]): BusEntry | undefined {
  const named = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  const kind = named('k');
  if (kind === 'n') return { kind, payload: named('x') ?? '' };
  if (kind === 's') return { kind, sessionId: named('sid') ?? '', payload: named('x') ?? '' };
  if (kind === 'c') return { kind, sessionId: named('sid') ?? '', payload: named('c') ?? '' };
  return undefined;
}

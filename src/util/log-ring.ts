// The last lines this node logged, kept in memory for the admin console's live log view: a
// bounded ring filled by teeing the logger's destination (each node shows its own log). It holds
// what the log already holds (pino's redaction applies first), so it adds no secret.
export class LogRing {
  private readonly entries: string[] = [];
  private start = 0;

  constructor(readonly capacity = 500) {}

  push(line: string): void {
    const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (this.entries.length < this.capacity) this.entries.push(trimmed);
    else {
      this.entries[this.start] = trimmed;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Up to `max` of the newest lines, oldest first. */
  recent(max = this.capacity): string[] {
    const ordered = [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - max));
  }
}

/** A logger destination that writes to `destination` and keeps each line in `ring`. */
export function teeToRing(destination: NodeJS.WritableStream, ring: LogRing): NodeJS.WritableStream {
  const tee = {
    write(chunk: string | Uint8Array): boolean {
      ring.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return destination.write(chunk);
    },
  };
  return tee as unknown as NodeJS.WritableStream;
}

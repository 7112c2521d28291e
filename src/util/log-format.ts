// How `herald start` prints its log: JSON lines for machines (journald, files, fail2ban) and, on
// a terminal, one readable line per entry so warnings do not land as JSON inside the banner.
import { Writable } from 'node:stream';

export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/** The asked-for format, else text on a terminal and JSON everywhere else. */
export function chooseLogFormat(requested: string | undefined, stdoutIsTty: boolean): LogFormat {
  if (requested === undefined) return stdoutIsTty ? 'text' : 'json';
  if (!LOG_FORMATS.includes(requested as LogFormat)) throw new RangeError(`expected 'json' or 'text', found '${requested}'`);
  return requested as LogFormat;
}

/** A pino destination that renders each JSON line as `time LEVEL message key=value …`. */
export function textLogDestination(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') out.write(`${renderLine(line)}\n`);
      done();
    },
  });
}

export function renderLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, ...rest } = entry;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  return [clock, String(level ?? '').toUpperCase().padEnd(5), String(msg ?? ''), ...fields].filter((p) => p !== '').join(' ');
}

// Structured JSON-lines logging through pino. Child loggers carry per-session context
// (session id, JID, remote address). Never pass passwords or SASL payloads to a logger.
import { pino, type Logger as PinoLogger } from 'pino';
import { flatten } from './flat-string.js';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: even if a payload reaches a log call, these keys never print.
      redact: { paths: ['password', '*.password', 'sasl', '*.sasl', 'payload', '*.payload'], censor: '[redacted]' },
    },
    destination as pino.DestinationStream,
  );
}

/**
 * Flattens a child logger's bindings, which pino builds by appending (`setBindings`): call once
 * the logger is kept for a session's lifetime (see flat-string.ts).
 */
export function compactBindings(log: Logger): void {
  const bindings = (log as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  if (typeof bindings === 'string') flatten(bindings);
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

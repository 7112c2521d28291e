// Parses a YAML configuration file while keeping the document tree, so that a bad value found
// later by validation can still be reported with the line it was written on.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError } from './config-error.js';

/** Line (1-based) of the key or value at a key path, or undefined when the path is not in the file. */
export type Locate = (keyPath: readonly (string | number)[], which: 'key' | 'value') => number | undefined;

export interface ParsedYaml {
  value: unknown;
  locate: Locate;
}

/** `displayName` is the file name used in error messages. */
export function parseYaml(text: string, displayName: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice is almost always a mistake, and the second would silently win.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line;
    const source = line === undefined ? { kind: 'file' as const, file: displayName } : { kind: 'file' as const, file: displayName, line };
    throw new ConfigError(source, undefined, `YAML syntax error: ${stripPosition(first.message)}`);
  }
  let value: unknown;
  try {
    // Unresolved aliases and alias bombs only surface here, not in doc.errors.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError({ kind: 'file', file: displayName }, undefined, `YAML error: ${(e as Error).message}`, { cause: e });
  }

  const locate: Locate = (keyPath, which) => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const segment of keyPath) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) return undefined;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        return undefined;
      }
    }
    // A missing value (`key:` alone) has no node of its own; fall back to the key's line.
    const target = which === 'key' ? (keyNode ?? node) : (node ?? keyNode);
    const offset = (target as Node | undefined)?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };

  return { value, locate };
}

/** The yaml package appends "at line N, column M:" and a code excerpt; the line goes in our prefix. */
function stripPosition(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

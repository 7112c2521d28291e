// Streams an XEP-0227 file as small units (a user's start and end, and each child of a user;
// each archived or offline message on its own), so a user with a million archived messages is
// never held in memory whole. XInclude (XEP-0227 §4) is followed with the including file's
// folder as base, and the host it was included under as context. Import files come from the
// admin, but they are still parsed with ltx (no DTDs, no entity expansion beyond XML's five).
import fs from 'node:fs';
import path from 'node:path';
import SaxLtx from 'ltx/src/parsers/ltx.js';
import { Element } from '../xml/element.js';
import { PIE } from './pie.js';

export type PieContainer = 'user' | 'archive' | 'offline-messages';

export type PieUnit =
  | { kind: 'user-start'; domain: string; name: string; password?: string }
  | { kind: 'user-data'; domain: string; name: string; in: PieContainer; element: Element }
  | { kind: 'user-end'; domain: string; name: string }
  /** Data outside any user (e.g. host-level extensions): reported, not imported. */
  | { kind: 'ignored'; name: string; file: string };

export class PieFormatError extends Error {
  override name = 'PieFormatError';
}

export interface PieReadOptions {
  /** Called with the bytes read from each file, for progress. */
  onBytes?: (bytes: number) => void;
  /** Files already open above this one (include loops are refused). */
  including?: readonly string[];
}

type Pending = PieUnit | { kind: 'include'; href: string; domain: string | undefined };

export async function* readPie(file: string, context: { domain?: string } = {}, options: PieReadOptions = {}): AsyncGenerator<PieUnit> {
  const resolved = path.resolve(file);
  if (options.including?.includes(resolved)) throw new PieFormatError(`${file}: includes itself (through ${options.including.join(' → ')})`);
  const pending: Pending[] = [];
  const parser = new SaxLtx();
  const prefixes: Array<Record<string, string>> = [];
  const structure: string[] = [];
  const capture: Element[] = [];
  let domain = context.domain;
  const domains: Array<string | undefined> = [];
  let user: string | undefined;

  const nsOfPrefix = (prefix: string): string | undefined => {
    for (let i = prefixes.length - 1; i >= 0; i--) if (prefixes[i]![prefix] !== undefined) return prefixes[i]![prefix];
    return undefined;
  };
  const requireUser = (): string => {
    if (user === undefined || domain === undefined) throw new PieFormatError(`${file}: user data outside a <user/> of a <host/>`);
    return user;
  };

  parser.on('startElement', (name: string, attrs: Record<string, string>) => {
    const scope: Record<string, string> = {};
    for (const key of Object.keys(attrs)) if (key.startsWith('xmlns:')) scope[key.slice(6)] = attrs[key]!;
    prefixes.push(scope);
    if (capture.length > 0) {
      const el = new Element(name, attrs);
      capture[capture.length - 1]!.cnode(el);
      capture.push(el);
      return;
    }
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const ns = colon < 0 ? attrs.xmlns : nsOfPrefix(name.slice(0, colon));
    const parent = structure[structure.length - 1];
    if (local === 'include' && (ns === PIE.xinclude || (colon > 0 && ns === undefined))) {
      if (!attrs.href) throw new PieFormatError(`${file}: <include/> without href`);
      pending.push({ kind: 'include', href: attrs.href, domain });
      structure.push('include');
    } else if (structure.length === 0 && (!(local === 'server-data' || local === 'host' || local === 'user') || !isRootNamespace(ns))) {
      throw new PieFormatError(`${file}: not an XEP-0227 file: it starts with <${name}${ns ? ` xmlns='${ns}'` : ''}>, expected <server-data xmlns='${PIE.ns}'>`);
    } else if (local === 'server-data' && parent === undefined) {
      structure.push(local);
    } else if (local === 'host' && (parent === undefined || parent === 'server-data')) {
      if (!attrs.jid) throw new PieFormatError(`${file}: <host/> without jid`);
      domains.push(domain);
      domain = attrs.jid.toLowerCase();
      structure.push(local);
    } else if (local === 'user' && (parent === undefined || parent === 'host')) {
      if (!attrs.name) throw new PieFormatError(`${file}: <user/> without name`);
      user = attrs.name;
      requireUser();
      pending.push({ kind: 'user-start', domain: domain!, name: user, ...(attrs.password === undefined ? {} : { password: attrs.password }) });
      structure.push(local);
    } else if (parent === 'user' && (local === 'archive' || local === 'offline-messages')) {
      structure.push(local);
    } else {
      structure.push('#captured');
      capture.push(new Element(name, attrs));
    }
  });

  parser.on('text', (text: string) => {
    if (capture.length > 0) capture[capture.length - 1]!.t(text);
  });

  parser.on('endElement', () => {
    prefixes.pop();
    if (capture.length > 1) {
      capture.pop();
      return;
    }
    const kind = structure.pop();
    if (kind === '#captured') {
      const element = capture.pop()!;
      const container = structure[structure.length - 1];
      if (container === 'user' || container === 'archive' || container === 'offline-messages') {
        pending.push({ kind: 'user-data', domain: domain!, name: requireUser(), in: container, element });
      } else {
        pending.push({ kind: 'ignored', name: element.name, file });
      }
    } else if (kind === 'user') {
      pending.push({ kind: 'user-end', domain: domain!, name: user! });
      user = undefined;
    } else if (kind === 'host') {
      domain = domains.pop();
    }
  });

  let failure: Error | undefined;
  parser.on('error', (error: Error) => (failure ??= new PieFormatError(`${file}: ${error.message}`)));

  const stream = fs.createReadStream(resolved);
  for await (const chunk of stream) {
    parser.write((chunk as Buffer).toString('utf8'));
    options.onBytes?.((chunk as Buffer).length);
    if (failure) throw failure;
    yield* drain();
  }
  parser.end('');
  if (failure) throw failure;
  yield* drain();
  if (structure.length > 0) throw new PieFormatError(`${file}: ends inside <${structure[structure.length - 1]}/>`);

  async function* drain(): AsyncGenerator<PieUnit> {
    while (pending.length > 0) {
      const next = pending.shift()!;
      if (next.kind === 'include') {
        const target = path.resolve(path.dirname(resolved), next.href);
        yield* readPie(target, next.domain === undefined ? {} : { domain: next.domain }, { ...options, including: [...(options.including ?? []), resolved] });
      } else {
        yield next;
      }
    }
  }
}

function isRootNamespace(ns: string | undefined): boolean {
  return ns === PIE.ns || ns === PIE.legacyNs;
}

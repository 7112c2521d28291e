// The sending side of the bus, pipelined. Appends issued in one turn of the event loop form a
// round: one script call per target inbox, all on one connection, so Redis runs them in the
// order they were issued and answers in that order. A sender does not wait for the answer to
// go on with its next stanza; what must wait (a client's XEP-0198 count) waits for `settled()`.
// An inbox that refuses (its node died and was drained meanwhile) gets its stanzas routed again
// here, oldest first, exactly as a receiving node would route a stanza whose session is gone.
import type { Element } from '../../xml/element.js';
import type { Logger } from '../../util/logger.js';

/**
 * Appends sent but not yet answered, at most; past it a sender waits for the rounds in flight
 * (a reader that stalls Redis, or Redis down, must not grow the queue without bound).
 */
export const MAX_APPENDS_IN_FLIGHT = 4_096;

interface Entry {
  seq: number;
  fields: string[];
  /** Routed again should the inbox refuse it. */
  stanza: Element | undefined;
  answer: (taken: boolean) => void;
}

interface Round {
  byNode: Map<string, Entry[]>;
}

export interface AppendBatcher {
  /** Queues an append; resolves with Redis's answer (true: in the inbox; false: not a member). */
  append(nodeId: string, fields: string[], rerouteIfRefused?: Element): Promise<boolean>;
  /** Resolves once every append issued so far is answered and what was refused routed again. */
  settled(): Promise<void> | undefined;
  /** While refused stanzas are being routed again: resolves when they all were. */
  rerouting(): Promise<void> | undefined;
  /** While too many appends are in flight: resolves once those sent so far are answered. */
  roomToSend(): Promise<void> | undefined;
}

export interface AppendBatcherDeps {
  /** One script call: the appends for `nodeId` (sequence, field count, fields …); null: refused. */
  send(nodeId: string, args: string[]): Promise<number | null>;
  /** Stanzas an inbox refused, in the order sent. */
  reroute(stanza: Element): Promise<void>;
  log: Logger;
}

export function createAppendBatcher(deps: AppendBatcherDeps): AppendBatcher {
  let seq = 0;
  let inFlight = 0;
  let open: Round | undefined;
  /** The newest round's answers (each round's follow the previous round's). */
  let answered: Promise<unknown> = Promise.resolve();
  /** The newest round done: answered, and what was refused routed again. */
  let newest: Promise<void> = Promise.resolve();
  let unfinishedRounds = 0;
  let reroutes: Promise<void> = Promise.resolve();
  let unfinishedReroutes = 0;

  function send(nodeId: string, entries: Entry[]): Promise<Element[]> {
    const args: string[] = [];
    for (const e of entries) args.push(String(e.seq), String(e.fields.length), ...e.fields);
    const settle = (taken: boolean): Element[] => {
      inFlight -= entries.length;
      for (const e of entries) e.answer(taken);
      return taken ? [] : entries.flatMap((e) => (e.stanza ? [e.stanza] : []));
    };
    return deps.send(nodeId, args).then(
      (reply) => settle(reply !== null),
      (error: unknown) => {
        // Not a connection loss (ioredis retries those): the script failed, nothing is known to be
        // in the inbox. Routed again, the stanzas reach another session or offline storage.
        deps.log.error({ err: (error as Error).message, nodeId, appends: entries.length }, 'bus: an append failed; routing its stanzas again');
        return settle(false);
      },
    );
  }

  function rerouteInOrder(stanzas: Element[]): Promise<void> {
    if (stanzas.length === 0) return reroutes;
    unfinishedReroutes++;
    reroutes = reroutes
      .then(async () => {
        for (const stanza of stanzas) await deps.reroute(stanza);
      })
      .catch((error: unknown) => deps.log.error({ err: error }, 'bus: could not route refused stanzas again'))
      .finally(() => void unfinishedReroutes--);
    return reroutes;
  }

  function openRound(): Round {
    const round: Round = { byNode: new Map() };
    const before = answered;
    let answers!: (all: Promise<Element[][]>) => void;
    const mine = new Promise<Element[][]>((resolve) => (answers = resolve));
    // In order: a round's answers count once the previous round's did, whatever the timing.
    const inOrder = before.then(() => mine);
    answered = inOrder;
    unfinishedRounds++;
    newest = inOrder.then((refused) => rerouteInOrder(refused.flat())).finally(() => void unfinishedRounds--);
    setImmediate(() => {
      if (open === round) open = undefined;
      answers(Promise.all([...round.byNode].map(([nodeId, entries]) => send(nodeId, entries))));
    });
    return round;
  }

  return {
    append(nodeId, fields, stanza) {
      const round = (open ??= openRound());
      let entries = round.byNode.get(nodeId);
      if (!entries) round.byNode.set(nodeId, (entries = []));
      inFlight++;
      const list = entries;
      return new Promise<boolean>((answer) => list.push({ seq: ++seq, fields, stanza, answer }));
    },
    settled: () => (unfinishedRounds > 0 ? newest : undefined),
    rerouting: () => (unfinishedReroutes > 0 ? reroutes : undefined),
    roomToSend: () => (inFlight >= MAX_APPENDS_IN_FLIGHT ? answered.then(() => undefined) : undefined),
  };
}

// Sessions that can be resumed (XEP-0198 §5), by their resumption id. Ids are unguessable, and
// a resumption is also checked against the authenticated account.

export interface Resumable {
  readonly accountBare: string;
}

/** How many ended sessions' final counts are remembered for <failed h/>. */
const REMEMBERED_ENDINGS = 10_000;

export class ResumptionTable<S extends Resumable> {
  private readonly byId = new Map<string, S>();
  /** Ended sessions: id → account and the count of stanzas the server had handled. */
  private readonly ended = new Map<string, { accountBare: string; handled: number }>();

  add(id: string, session: S): void {
    this.byId.set(id, session);
  }

  remove(id: string, session: S): void {
    if (this.byId.get(id) === session) this.byId.delete(id);
  }

  /**
   * Remembers how many of the client's stanzas an ended session handled, so a late resume can
   * be told (XEP-0198 §5: <failed h/>) which of its stanzas arrived.
   */
  recordEnded(id: string, accountBare: string, handled: number): void {
    this.ended.delete(id);
    this.ended.set(id, { accountBare, handled });
    if (this.ended.size > REMEMBERED_ENDINGS) this.ended.delete(this.ended.keys().next().value!);
  }

  /** The handled count of an ended session of `accountBare`, if remembered. */
  handledByEnded(id: string, accountBare: string): number | undefined {
    const record = this.ended.get(id);
    return record && record.accountBare === accountBare ? record.handled : undefined;
  }

  /** The session for `id` if it belongs to `accountBare`. */
  find(id: string, accountBare: string): S | undefined {
    const session = this.byId.get(id);
    return session && session.accountBare === accountBare ? session : undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}

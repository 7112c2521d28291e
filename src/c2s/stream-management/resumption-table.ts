// Sessions that can be resumed (XEP-0198 §5), by their resumption id. Ids are unguessable, and
// a resumption is also checked against the authenticated account.

export interface Resumable {
  readonly accountBare: string;
}

export class ResumptionTable<S extends Resumable> {
  private readonly byId = new Map<string, S>();

  add(id: string, session: S): void {
    this.byId.set(id, session);
  }

  remove(id: string, session: S): void {
    if (this.byId.get(id) === session) this.byId.delete(id);
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

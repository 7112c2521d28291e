// Per-session state of modules (LocalSession.data), keyed by a symbol each module owns. Most
// sessions never store anything (no directed presence, no caps query, no MUC rate bucket), so
// the Map is made on the first set: at thousands of idle sessions an empty Map is ~180 bytes each.

/** The part of a Map that modules use; a Map is one too. */
export interface SessionDataStore {
  get(key: symbol): unknown;
  has(key: symbol): boolean;
  set(key: symbol, value: unknown): unknown;
  delete(key: symbol): boolean;
}

export class SessionData implements SessionDataStore {
  private map: Map<symbol, unknown> | undefined;

  get(key: symbol): unknown {
    return this.map?.get(key);
  }

  has(key: symbol): boolean {
    return this.map?.has(key) ?? false;
  }

  set(key: symbol, value: unknown): this {
    (this.map ??= new Map()).set(key, value);
    return this;
  }

  delete(key: symbol): boolean {
    const deleted = this.map?.delete(key) ?? false;
    if (this.map?.size === 0) this.map = undefined;
    return deleted;
  }
}

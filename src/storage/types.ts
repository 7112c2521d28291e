// Storage interfaces: one repository per concern. Every implementation (memory, sqlite, later
// postgres) passes the one contract suite in test/storage/.

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/** SCRAM salted credential (RFC 5802 §3): enough to verify a login, never the password. */
export interface ScramCredential {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export interface UserRecord {
  domain: string;
  username: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface UserRepository {
  /** Creates the account; false if it already exists. */
  create(domain: string, username: string, credentials: ScramCredential[], createdAt: number): Promise<boolean>;
  exists(domain: string, username: string): Promise<boolean>;
  getCredential(domain: string, username: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined>;
  /** Replaces all credentials of the account; false if there is no such account. */
  setCredentials(domain: string, username: string, credentials: ScramCredential[]): Promise<boolean>;
  /** Deletes the account and everything stored for it; false if there was none. */
  delete(domain: string, username: string): Promise<boolean>;
  /** Accounts ordered by domain then username; all domains when domain is undefined. */
  list(domain?: string): Promise<UserRecord[]>;
}

/** Small per-account or per-domain values for modules that need no table of their own. */
export interface KeyValueRepository {
  get(scope: string, key: string): Promise<string | undefined>;
  set(scope: string, key: string, value: string): Promise<void>;
  delete(scope: string, key: string): Promise<boolean>;
}

export interface Storage {
  users: UserRepository;
  kv: KeyValueRepository;
  close(): Promise<void>;
}

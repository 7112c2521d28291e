// What every scenario receives and returns.
import type { Target } from './bench-client.js';

export type AccountSource = { kind: 'register' } | { kind: 'provision'; template: string } | { kind: 'existing' };

export interface BenchContext {
  target: Target;
  /** The server's PID, for its CPU and memory from /proc; undefined when not watched. */
  serverPid?: number;
  /** Cluster: the other nodes' PIDs (CPU per node) and where receivers log in (fixed-rate). */
  otherServerPids?: number[];
  receiverTargets?: Target[];
  accounts: AccountSource;
  /** Prefix making this run's usernames unique, so rosters and offline stores start empty. */
  runId: string;
  password: string;
  /** Worker threads for the message scenarios (0: all clients on the main thread). */
  workers: number;
  log(line: string): void;
}

export interface ScenarioResult {
  scenario: string;
  params: Record<string, number | string>;
  /** Figures by name; the suffix says the unit (_per_s, _ms, _kib, _pct, …). */
  metrics: Record<string, number>;
  /** The measured window (CLOCK_MONOTONIC µs), so a server profile can be cut to it. */
  windowUs?: [number, number];
}

/** The server PID as an optional property (exactOptionalPropertyTypes forbids `serverPid: undefined`). */
export const pid = (ctx: BenchContext): { serverPid?: number } => (ctx.serverPid === undefined ? {} : { serverPid: ctx.serverPid });

/** Thrown by a scenario the server cannot run (a mechanism it does not offer): skipped, not failed. */
export class ScenarioUnsupported extends Error {}

// Idle deadlines of every stream with one interval per timeout length, instead of a timer per
// socket: 100,000 idle sessions then cost one walk over a Set every few seconds, and input costs
// one integer store (no timer re-arm per read). A stream is due once `ticksPerPeriod` whole
// sweep periods passed without input, so a deadline fires at most one tick (1/8) late, never early.

export interface IdleWatcher {
  /** The sweep's tick at the watcher's last input; the watcher stores `sweep.tick` here on input. */
  idleSince: number;
  /** Called on a sweep when the watcher's last input is at least one full period old. */
  idlePeriodPassed(): void;
}

const TICKS_PER_PERIOD = 8;
/** Longer periods mean "never" (e.g. links that only send): they are not watched at all. */
const MAX_PERIOD_MS = 2 ** 30;

export class IdleSweep {
  /** Incremented by every sweep; watchers record it when input arrives. */
  tick = 0;
  private readonly watched = new Set<IdleWatcher>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly periodMs: number) {}

  /** Starts watching `watcher`, counting from now. */
  watch(watcher: IdleWatcher): void {
    watcher.idleSince = this.tick;
    this.watched.add(watcher);
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), Math.max(1, Math.round(this.periodMs / TICKS_PER_PERIOD)));
    this.timer.unref();
  }

  forget(watcher: IdleWatcher): void {
    this.watched.delete(watcher);
    if (this.watched.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get watching(): number {
    return this.watched.size;
  }

  private sweep(): void {
    this.tick += 1;
    // Input during tick t happened after sweep t began, so t + TICKS + 1 is a full period later.
    const dueAt = this.tick - TICKS_PER_PERIOD - 1;
    for (const watcher of this.watched) {
      if (watcher.idleSince > dueAt) continue;
      watcher.idleSince = this.tick; // the next period counts from here
      watcher.idlePeriodPassed();
    }
  }
}

const sweeps = new Map<number, IdleSweep>();

/** The process's sweep for one period length; undefined when the period means "never". */
export function idleSweepFor(periodMs: number): IdleSweep | undefined {
  if (!(periodMs > 0) || periodMs > MAX_PERIOD_MS) return undefined;
  let sweep = sweeps.get(periodMs);
  if (!sweep) {
    sweep = new IdleSweep(periodMs);
    sweeps.set(periodMs, sweep);
  }
  return sweep;
}

// Archiving runs beside the message path, not in it: a message is delivered (or stored offline)
// without waiting for its archive copy to reach the disk. Writes still reach storage in the order
// messages arrived (each one's preference check runs after the previous one's), and storage
// commits what arrives together in one transaction. Queries first wait for writes this node has
// started, so a client always finds what it just sent or received. What this holds is writes in
// flight, nothing another node would need.
import type { Logger } from '../../util/logger.js';

/** A write that started: the commit it began (wrapped, so awaiting the start does not wait for it). */
export type StartedWrite = { commit: Promise<unknown> } | undefined;

export interface ArchiveWriter {
  /** Runs `write` once every earlier one has started its storage write. */
  enqueue(write: () => Promise<StartedWrite>): void;
  /**
   * Runs `write` at once when no earlier write is still waiting to start, and says so; false
   * leaves it to the caller (enqueue). Most archive copies need no look-up before their write,
   * and this way they cost no promise chain.
   */
  startNowIfIdle(write: () => StartedWrite): boolean;
  /** Resolves once everything enqueued so far is committed (or has failed and been logged). */
  idle(): Promise<void>;
}

export function createArchiveWriter(log: Logger): ArchiveWriter {
  let started: Promise<unknown> = Promise.resolve();
  let committed: Promise<unknown> = Promise.resolve();
  /** Enqueued writes that have not started yet. */
  let waiting = 0;
  const logged = (err: unknown): void => log.warn({ err }, 'a message could not be archived');
  const began = (write: StartedWrite): void => {
    if (write) committed = write.commit.catch(logged);
  };
  return {
    enqueue(write) {
      waiting++;
      started = started.then(async () => {
        try {
          began(await write());
        } catch (err) {
          logged(err);
        } finally {
          waiting--;
        }
      });
    },
    startNowIfIdle(write) {
      if (waiting > 0) return false;
      try {
        began(write());
      } catch (err) {
        logged(err);
      }
      return true;
    },
    async idle() {
      await started;
      await committed;
    },
  };
}

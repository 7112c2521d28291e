// Archiving runs beside the message path, not in it: a message is delivered (or stored offline)
// without waiting for its archive copy to reach the disk. Writes still reach storage in the order
// messages arrived (each one's preference check runs after the previous one's), and storage
// commits what arrives together in one transaction. Queries first wait for writes this node has
// started, so a client always finds what it just sent or received. What this holds is writes in
// flight, nothing another node would need.
import type { Logger } from '../../util/logger.js';

export interface ArchiveWriter {
  /**
   * Runs `write` once every earlier one has started its storage write. `write` resolves with the
   * commit it started (wrapped, so awaiting `write` does not wait for the commit), or undefined.
   */
  enqueue(write: () => Promise<{ commit: Promise<unknown> } | undefined>): void;
  /** Resolves once everything enqueued so far is committed (or has failed and been logged). */
  idle(): Promise<void>;
}

export function createArchiveWriter(log: Logger): ArchiveWriter {
  let started: Promise<unknown> = Promise.resolve();
  let committed: Promise<unknown> = Promise.resolve();
  const logged = (err: unknown): void => log.warn({ err }, 'a message could not be archived');
  return {
    enqueue(write) {
      started = started.then(async () => {
        try {
          const started = await write();
          if (started) committed = started.commit.catch(logged);
        } catch (err) {
          logged(err);
        }
      });
    },
    async idle() {
      await started;
      await committed;
    },
  };
}

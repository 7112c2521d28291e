// Archive appends gather for a short window and go to storage as one batch, one commit: the
// archive is written beside the message path, and a commit per message cost more than the rows.
// The batch goes at once when it is full, and at the end of this event-loop turn when someone
// waits for an append (a room stores a message before sending it). SQLite and PostgreSQL both
// gather with this; each decides what sending a batch means.

export interface GatheredAppends<T> {
  /** Adds an append; `promptly` when someone waits for it before going on. */
  add(item: T, promptly?: boolean): void;
  /** The appends gathered so far, now the caller's to send; the window closes. */
  take(): T[];
}

/** `send` is called when the window closes, the batch is full, or a prompt append's turn ends; it calls `take`. */
export function gatherAppends<T>(windowMs: number, maxBatch: number, send: () => void): GatheredAppends<T> {
  let waiting: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let promptScheduled = false;
  return {
    add(item, promptly) {
      waiting.push(item);
      if (waiting.length >= maxBatch) send();
      else if (promptly && !promptScheduled) {
        // Still shared with whatever else this turn appends.
        promptScheduled = true;
        setImmediate(() => {
          promptScheduled = false;
          send();
        });
      } else if (!timer) timer = setTimeout(send, windowMs);
    },
    take() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = waiting;
      waiting = [];
      return batch;
    },
  };
}

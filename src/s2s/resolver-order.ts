// RFC 2782 ordering of SRV records: ascending priority; within one priority a weighted random
// order (records with weight 0 first in the list, then repeatedly pick by running weight sum).

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

/** A new array in the order to try; `random` returns a number in [0, 1). */
export function orderSrv<T extends SrvRecord>(records: readonly T[], random: () => number = Math.random): T[] {
  const byPriority = new Map<number, T[]>();
  for (const record of records) {
    const group = byPriority.get(record.priority);
    if (group) group.push(record);
    else byPriority.set(record.priority, [record]);
  }
  const out: T[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    out.push(...weightedOrder(byPriority.get(priority)!, random));
  }
  return out;
}

function weightedOrder<T extends SrvRecord>(group: readonly T[], random: () => number): T[] {
  // Zero-weight records go to the front, so they are chosen only when the draw is 0 (RFC 2782).
  const remaining = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight > 0)];
  const out: T[] = [];
  while (remaining.length > 0) {
    const total = remaining.reduce((sum, r) => sum + r.weight, 0);
    // A uniform integer in [0, total].
    const draw = Math.min(total, Math.floor(random() * (total + 1)));
    let running = 0;
    let index = remaining.length - 1;
    for (let i = 0; i < remaining.length; i++) {
      running += remaining[i]!.weight;
      if (running >= draw) {
        index = i;
        break;
      }
    }
    out.push(remaining.splice(index, 1)[0]!);
  }
  return out;
}

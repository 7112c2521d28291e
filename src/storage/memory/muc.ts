// XEP-0045 rooms in process memory, kept as JSON so no caller shares an object with the store.
import type { MucRepository, MucRoom } from '../types.js';

export function createMemoryMucRepository(assertOpen: () => void): MucRepository {
  const rooms = new Map<string, string>();
  const read = (jid: string): MucRoom | undefined => {
    const json = rooms.get(jid);
    return json === undefined ? undefined : (JSON.parse(json) as MucRoom);
  };
  return {
    async get(jid) {
      assertOpen();
      return read(jid);
    },
    async update(jid, decide) {
      assertOpen();
      // No await between read and write: atomic within this process.
      const change = decide(read(jid));
      if (change.write === 'delete') rooms.delete(jid);
      else if (change.write) rooms.set(jid, JSON.stringify(change.write));
      return change.result;
    },
    async list(domain) {
      assertOpen();
      const suffix = `@${domain}`;
      return [...rooms.keys()].filter((jid) => jid.endsWith(suffix)).sort().map((jid) => read(jid)!);
    },
  };
}

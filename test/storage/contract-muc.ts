// Contract for MucRepository (XEP-0045 room state). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MucRoom, Storage } from '../../src/storage/types.js';

export function mucRoom(jid: string, creator = 'alice@example.org'): MucRoom {
  return {
    jid,
    config: {
      name: '', description: '', persistent: false, public: true, membersOnly: false, moderated: false, password: '',
      whois: 'moderators', maxUsers: 100, historyLength: 20, allowInvites: false, changeSubject: false,
      memberListVisibleTo: ['moderator'], allowPrivateMessages: true,
    },
    affiliations: { [creator]: { affiliation: 'owner' } },
    locked: true,
    createdAt: 1_000,
    creator,
    occupants: [],
  };
}

export function runMucContract(current: () => Storage, second: () => Storage): void {
  describe('muc rooms', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('creates a room once, reads it back, and deletes it', async () => {
      const room = mucRoom('lounge@conference.example.org');
      const create = (existing: MucRoom | undefined) => (existing ? { result: false } : { result: true, write: room });
      expect(await storage.muc.update(room.jid, create)).toBe(true);
      expect(await storage.muc.update(room.jid, create)).toBe(false);
      expect(await storage.muc.get(room.jid)).toEqual(room);
      expect(await storage.muc.update(room.jid, () => ({ result: 'gone', write: 'delete' as const }))).toBe('gone');
      expect(await storage.muc.get(room.jid)).toBeUndefined();
    });

    it('an update that writes nothing changes nothing, and a stored room is a copy', async () => {
      const room = mucRoom('lounge@conference.example.org');
      await storage.muc.update(room.jid, () => ({ result: undefined, write: room }));
      room.config.name = 'changed after writing';
      expect(await storage.muc.update(room.jid, (r) => ({ result: r?.config.name }))).toBe('');
      const read = (await storage.muc.get(room.jid))!;
      read.occupants.push({ nick: 'x', jid: 'x@example.org/r', role: 'participant', occupantId: 'o', presence: '' });
      expect((await storage.muc.get(room.jid))!.occupants).toEqual([]);
    });

    it('lists the rooms of one service domain only, by JID', async () => {
      for (const jid of ['b@conference.example.org', 'a@conference.example.org', 'c@conference.example.net']) {
        await storage.muc.update(jid, () => ({ result: undefined, write: mucRoom(jid) }));
      }
      expect((await storage.muc.list('conference.example.org')).map((r) => r.jid)).toEqual(['a@conference.example.org', 'b@conference.example.org']);
      expect(await storage.muc.list('conference.example.com')).toEqual([]);
    });

    it('concurrent joins through two handles (two nodes) never lose an occupant', async () => {
      const jid = 'busy@conference.example.org';
      await storage.muc.update(jid, () => ({ result: undefined, write: mucRoom(jid) }));
      const join = (handle: Storage, nick: string) =>
        handle.muc.update(jid, (room) => {
          const next = structuredClone(room!);
          next.occupants.push({ nick, jid: `${nick}@example.org/r`, role: 'participant', occupantId: nick, presence: '' });
          return { result: undefined, write: next };
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => join(i % 2 === 0 ? storage : second(), `n${i}`)));
      expect((await storage.muc.get(jid))!.occupants.map((o) => o.nick).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`).sort());
    });
  });
}

// Contract for MucRepository (XEP-0045 room state, occupants in rows of their own). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MucOccupant, MucRoom, Storage } from '../../src/storage/types.js';

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
  };
}

const occupant = (nick: string, node = 'node-a', jid = `${nick}@example.org/r`): MucOccupant => ({ nick, jid, role: 'participant', occupantId: nick, presence: '', node });

export function runMucContract(current: () => Storage, second: () => Storage): void {
  describe('muc rooms', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });
    const create = (jid: string, occupants: MucOccupant[] = []) => storage.muc.update(jid, () => ({ result: undefined, write: mucRoom(jid), putOccupants: occupants }));
    const nicks = async (jid: string) => (await storage.muc.occupants(jid)).occupants.map((o) => o.nick);

    it('creates a room once, reads it back, and deletes it with its occupants', async () => {
      const room = mucRoom('lounge@conference.example.org');
      const createOnce = ({ room: existing }: { room: MucRoom | undefined }) => (existing ? { result: false } : { result: true, write: room, putOccupants: [occupant('a')] });
      expect((await storage.muc.update(room.jid, createOnce)).result).toBe(true);
      expect((await storage.muc.update(room.jid, createOnce)).result).toBe(false);
      expect((await storage.muc.get(room.jid))?.room).toEqual(room);
      expect(await nicks(room.jid)).toEqual(['a']);
      expect((await storage.muc.update(room.jid, () => ({ result: 'gone', write: 'delete' as const }))).result).toBe('gone');
      expect(await storage.muc.get(room.jid)).toBeUndefined();
      expect(await storage.muc.occupants(room.jid)).toEqual({ stamp: '', occupants: [] });
      await create(room.jid);
      expect(await nicks(room.jid)).toEqual([]);
    });

    it('an update that writes nothing changes nothing, and a stored room is a copy', async () => {
      const room = mucRoom('lounge@conference.example.org');
      await storage.muc.update(room.jid, () => ({ result: undefined, write: room }));
      room.config.name = 'changed after writing';
      expect((await storage.muc.update(room.jid, (s) => ({ result: s.room?.config.name }))).result).toBe('');
      const read = (await storage.muc.get(room.jid))!;
      read.room.config.name = 'changed after reading';
      expect((await storage.muc.get(room.jid))!.room.config.name).toBe('');
    });

    it('lists the rooms of one service domain only, by JID', async () => {
      for (const jid of ['b@conference.example.org', 'a@conference.example.org', 'c@conference.example.net']) await create(jid);
      expect((await storage.muc.list('conference.example.org')).map((r) => r.jid)).toEqual(['a@conference.example.org', 'b@conference.example.org']);
      expect(await storage.muc.list('conference.example.com')).toEqual([]);
    });

    it('adds, renames and removes occupants in join order; a filter loads only the rows with that JID or nick, with the full count', async () => {
      const jid = 'rows@conference.example.org';
      await create(jid, [occupant('a'), occupant('b'), occupant('c')]);
      // A rename keeps the occupant's place.
      await storage.muc.update(jid, () => ({ result: undefined, putOccupants: [{ ...occupant('b'), nick: 'bee' }] }));
      expect(await nicks(jid)).toEqual(['a', 'bee', 'c']);
      const seen = await storage.muc.update(jid, (s) => ({ result: { nicks: s.occupants.map((o) => o.nick).sort(), count: s.occupantCount } }), { jid: 'c@example.org/r', nick: 'a' });
      expect(seen.result).toEqual({ nicks: ['a', 'c'], count: 3 });
      const all = await storage.muc.update(jid, (s) => ({ result: s.occupants.length }));
      expect(all.result).toBe(3);
      await storage.muc.update(jid, () => ({ result: undefined, removeOccupants: ['a@example.org/r'] }));
      expect(await nicks(jid)).toEqual(['bee', 'c']);
      const read = (await storage.muc.occupants(jid)).occupants[0]!;
      expect(read).toEqual({ ...occupant('b'), nick: 'bee' });
    });

    it('renews the stamp on every occupant change and only then', async () => {
      const jid = 'stamp@conference.example.org';
      const created = await create(jid);
      expect(created.stampBefore).toBe('');
      expect(created.stampAfter).not.toBe('');
      const configured = await storage.muc.update(jid, (s) => ({ result: undefined, write: { ...s.room!, locked: false } }));
      expect(configured).toMatchObject({ stampBefore: created.stampAfter, stampAfter: created.stampAfter });
      const joined = await storage.muc.update(jid, () => ({ result: undefined, putOccupants: [occupant('a')] }));
      expect(joined.stampBefore).toBe(created.stampAfter);
      expect(joined.stampAfter).not.toBe(joined.stampBefore);
      expect((await storage.muc.get(jid))!.occupantsStamp).toBe(joined.stampAfter);
      expect((await storage.muc.occupants(jid)).stamp).toBe(joined.stampAfter);
      // Deleted and created again: never the stamp a cache may still hold.
      await storage.muc.update(jid, () => ({ result: undefined, write: 'delete' as const }));
      const again = await create(jid, [occupant('a')]);
      expect(again.stampAfter).not.toBe(joined.stampAfter);
    });

    it('removes one node\'s occupants of one service (or all of them), room by room, renewing stamps', async () => {
      await create('x@conference.example.org', [occupant('a', 'node-a'), occupant('b', 'node-b'), occupant('c', 'node-a')]);
      await create('y@conference.example.org', [occupant('d', 'node-b')]);
      await create('z@conference.example.net', [occupant('e', 'node-a')]);
      const before = (await storage.muc.get('x@conference.example.org'))!.occupantsStamp;
      const removed = await storage.muc.removeOccupants('conference.example.org', 'node-a');
      expect(removed.map((r) => ({ room: r.room, nicks: r.occupants.map((o) => o.nick).sort() }))).toEqual([{ room: 'x@conference.example.org', nicks: ['a', 'c'] }]);
      expect(await nicks('x@conference.example.org')).toEqual(['b']);
      expect((await storage.muc.get('x@conference.example.org'))!.occupantsStamp).not.toBe(before);
      expect(await nicks('z@conference.example.net')).toEqual(['e']);
      const all = await storage.muc.removeOccupants('conference.example.org', undefined);
      expect(all.map((r) => r.room).sort()).toEqual(['x@conference.example.org', 'y@conference.example.org']);
      expect(await nicks('x@conference.example.org')).toEqual([]);
      expect(await nicks('y@conference.example.org')).toEqual([]);
    });

    it('concurrent joins through two handles (two nodes) never lose an occupant nor give one nick twice', async () => {
      const jid = 'busy@conference.example.org';
      await create(jid);
      const join = (handle: Storage, nick: string, i: number) =>
        handle.muc.update(
          jid,
          (s) => (s.occupants.some((o) => o.nick === nick) ? { result: false } : { result: true, putOccupants: [occupant(nick, 'n', `u${i}@example.org/r`)] }),
          { jid: `u${i}@example.org/r`, nick },
        );
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => join(i % 2 === 0 ? storage : second(), `n${i % 10}`, i)));
      expect(results.filter((r) => r.result).length).toBe(10);
      expect((await nicks(jid)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`).sort());
    });
  });
}

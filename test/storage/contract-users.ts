// Contract for UserRepository: accounts and SCRAM credentials. Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScramCredential, ScramMechanism, Storage } from '../../src/storage/types.js';

/** Every byte value, including NUL and 0xff, so any text conversion on the way would show. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

function credential(mechanism: ScramMechanism, seed: number): ScramCredential {
  const keyLength = mechanism === 'SCRAM-SHA-1' ? 20 : 32;
  const bytes = (offset: number, length: number): Buffer =>
    Buffer.from(Array.from({ length }, (_, i) => (seed * 31 + offset + i * 7) % 256));
  return {
    mechanism,
    salt: bytes(0, 16),
    iterations: 4096 + seed,
    storedKey: bytes(1, keyLength),
    serverKey: bytes(2, keyLength),
  };
}

export function runUserContract(current: () => Storage): void {
  describe('users', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    describe('users.create / exists', () => {
      it('creates an account once; a second create returns false and changes nothing', async () => {
        const first = credential('SCRAM-SHA-256', 1);
        expect(await storage.users.create('example.org', 'alice', [first], 1000)).toBe(true);
        expect(await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-256', 2)], 2000)).toBe(false);
        expect(await storage.users.exists('example.org', 'alice')).toBe(true);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(first);
        expect(await storage.users.list()).toEqual([{ domain: 'example.org', username: 'alice', createdAt: 1000 }]);
      });

      it('matches domain and username exactly (no case folding in storage)', async () => {
        await storage.users.create('example.org', 'alice', [], 1);
        expect(await storage.users.exists('example.org', 'bob')).toBe(false);
        expect(await storage.users.exists('example.net', 'alice')).toBe(false);
        expect(await storage.users.exists('example.org', 'Alice')).toBe(false);
        expect(await storage.users.create('example.org', 'Alice', [], 2)).toBe(true);
        expect(await storage.users.create('example.net', 'alice', [], 3)).toBe(true);
      });

      it('accepts an account without credentials', async () => {
        expect(await storage.users.create('example.org', 'nopass', [], 1)).toBe(true);
        expect(await storage.users.getCredential('example.org', 'nopass', 'SCRAM-SHA-1')).toBeUndefined();
        expect(await storage.users.getCredential('example.org', 'nopass', 'SCRAM-SHA-256')).toBeUndefined();
      });

      it('rejects duplicate mechanisms and stores nothing', async () => {
        const dup = [credential('SCRAM-SHA-1', 1), credential('SCRAM-SHA-1', 2)];
        await expect(storage.users.create('example.org', 'alice', dup, 1)).rejects.toThrow();
        expect(await storage.users.exists('example.org', 'alice')).toBe(false);
      });
    });

    describe('users.getCredential', () => {
      it('round-trips each mechanism byte-exact', async () => {
        const sha1 = credential('SCRAM-SHA-1', 3);
        const sha256: ScramCredential = {
          mechanism: 'SCRAM-SHA-256',
          salt: Buffer.from(ALL_BYTES),
          iterations: 2 ** 31 - 1,
          storedKey: Buffer.from(ALL_BYTES.subarray(0, 32)),
          serverKey: Buffer.from(ALL_BYTES.subarray(224)),
        };
        await storage.users.create('example.org', 'alice', [sha1, sha256], 1);

        const got1 = await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-1');
        const got256 = await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256');
        expect(got1).toEqual(sha1);
        expect(got256).toEqual(sha256);
        expect(Buffer.isBuffer(got256?.salt)).toBe(true);
        expect(got256?.salt.equals(ALL_BYTES)).toBe(true);
      });

      it('returns undefined for an unknown account or a missing mechanism', async () => {
        await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-256', 1)], 1);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-1')).toBeUndefined();
        expect(await storage.users.getCredential('example.org', 'bob', 'SCRAM-SHA-256')).toBeUndefined();
        expect(await storage.users.getCredential('example.net', 'alice', 'SCRAM-SHA-256')).toBeUndefined();
      });

      it('keeps no reference to buffers passed in or handed out', async () => {
        const input = credential('SCRAM-SHA-256', 4);
        const expected = credential('SCRAM-SHA-256', 4);
        await storage.users.create('example.org', 'alice', [input], 1);
        input.salt.fill(0);
        input.storedKey.fill(0);
        input.serverKey.fill(0);

        const out = await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256');
        expect(out).toEqual(expected);
        out?.salt.fill(0);
        out?.storedKey.fill(0);
        out?.serverKey.fill(0);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(expected);
      });
    });

    describe('users.setCredentials', () => {
      it('replaces the whole set, dropping mechanisms not given', async () => {
        await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-1', 1), credential('SCRAM-SHA-256', 1)], 1);
        const next = credential('SCRAM-SHA-256', 9);
        expect(await storage.users.setCredentials('example.org', 'alice', [next])).toBe(true);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(next);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-1')).toBeUndefined();
      });

      it('with an empty list removes every credential but keeps the account', async () => {
        await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-256', 1)], 1);
        expect(await storage.users.setCredentials('example.org', 'alice', [])).toBe(true);
        expect(await storage.users.exists('example.org', 'alice')).toBe(true);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toBeUndefined();
      });

      it('returns false for an unknown account and does not create it', async () => {
        expect(await storage.users.setCredentials('example.org', 'ghost', [credential('SCRAM-SHA-1', 1)])).toBe(false);
        expect(await storage.users.exists('example.org', 'ghost')).toBe(false);
        expect(await storage.users.getCredential('example.org', 'ghost', 'SCRAM-SHA-1')).toBeUndefined();
      });

      it('rejects duplicate mechanisms and keeps the old credentials', async () => {
        const old = credential('SCRAM-SHA-256', 1);
        await storage.users.create('example.org', 'alice', [old], 1);
        const dup = [credential('SCRAM-SHA-256', 2), credential('SCRAM-SHA-256', 3)];
        await expect(storage.users.setCredentials('example.org', 'alice', dup)).rejects.toThrow();
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(old);
      });
    });

    describe('users.delete', () => {
      it('deletes once; a second delete returns false', async () => {
        await storage.users.create('example.org', 'alice', [], 1);
        expect(await storage.users.delete('example.org', 'alice')).toBe(true);
        expect(await storage.users.exists('example.org', 'alice')).toBe(false);
        expect(await storage.users.delete('example.org', 'alice')).toBe(false);
        expect(await storage.users.delete('example.org', 'never')).toBe(false);
      });

      it('removes the credentials with the account', async () => {
        await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-1', 1), credential('SCRAM-SHA-256', 1)], 1);
        await storage.users.delete('example.org', 'alice');
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toBeUndefined();
        // A new account under the same name must not inherit the old credentials.
        expect(await storage.users.create('example.org', 'alice', [], 2)).toBe(true);
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-1')).toBeUndefined();
        expect(await storage.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toBeUndefined();
      });

      it('leaves the same username in another domain alone', async () => {
        const other = credential('SCRAM-SHA-256', 5);
        await storage.users.create('example.org', 'alice', [credential('SCRAM-SHA-256', 1)], 1);
        await storage.users.create('example.net', 'alice', [other], 2);
        await storage.users.delete('example.org', 'alice');
        expect(await storage.users.exists('example.net', 'alice')).toBe(true);
        expect(await storage.users.getCredential('example.net', 'alice', 'SCRAM-SHA-256')).toEqual(other);
      });
    });

    describe('users.list', () => {
      it('is empty for a fresh storage and for an unknown domain', async () => {
        expect(await storage.users.list()).toEqual([]);
        await storage.users.create('example.org', 'alice', [], 1);
        expect(await storage.users.list('example.net')).toEqual([]);
      });

      it('orders by domain then username and filters by domain', async () => {
        const accounts: Array<[string, string, number]> = [
          ['b.example', 'zed', 1],
          ['a.example', 'mia', 2],
          ['b.example', 'amy', 3],
          ['a.example', 'Zoe', 4], // uppercase sorts before lowercase (binary order)
          ['a.example', 'bob', 5],
        ];
        for (const [domain, username, at] of accounts) await storage.users.create(domain, username, [], at);

        expect(await storage.users.list()).toEqual([
          { domain: 'a.example', username: 'Zoe', createdAt: 4 },
          { domain: 'a.example', username: 'bob', createdAt: 5 },
          { domain: 'a.example', username: 'mia', createdAt: 2 },
          { domain: 'b.example', username: 'amy', createdAt: 3 },
          { domain: 'b.example', username: 'zed', createdAt: 1 },
        ]);
        expect(await storage.users.list('b.example')).toEqual([
          { domain: 'b.example', username: 'amy', createdAt: 3 },
          { domain: 'b.example', username: 'zed', createdAt: 1 },
        ]);
      });

      it('orders non-ASCII names by code point, the same in every backend', async () => {
        // UTF-16 code-unit order would put the emoji (surrogate pair) before U+FF21.
        for (const username of ['\u{1F600}', '\uFF21', 'é', 'z']) await storage.users.create('example.org', username, [], 1);
        const names = (await storage.users.list('example.org')).map((u) => u.username);
        expect(names).toEqual(['z', 'é', '\uFF21', '\u{1F600}']);
      });

      it('keeps createdAt exact for real timestamps', async () => {
        const at = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
        await storage.users.create('example.org', 'alice', [], at);
        expect((await storage.users.list())[0]?.createdAt).toBe(at);
      });

      it('hands out copies', async () => {
        await storage.users.create('example.org', 'alice', [], 1);
        const [record] = await storage.users.list();
        if (record) record.username = 'mallory';
        expect(await storage.users.list()).toEqual([{ domain: 'example.org', username: 'alice', createdAt: 1 }]);
      });
    });
  });
}

// The one behaviour every Storage implementation must have. Each backend's test file calls
// runStorageContract with a factory giving it a fresh, empty storage per test; the
// per-repository parts live in contract-*.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RosterItem, Storage } from '../../src/storage/types.js';
import { runArchiveContract } from './contract-archive.js';
import { runHeldContract } from './contract-held.js';
import { runFastTokenContract } from './contract-fast-tokens.js';
import { runKvContract } from './contract-kv.js';
import { runOfflineContract } from './contract-offline.js';
import { runPrivateXmlContract } from './contract-private-xml.js';
import { runPubsubContract } from './contract-pubsub.js';
import { runVCardContract } from './contract-vcards.js';
import { runPushContract } from './contract-push.js';
import { runUploadContract } from './contract-uploads.js';
import { runRosterContract } from './contract-roster.js';
import { runRosterUpdateContract } from './contract-roster-update.js';
import { runUserContract } from './contract-users.js';
import { runInviteContract } from './contract-invites.js';
import { runConcurrencyContract } from './contract-concurrency.js';
import { runBlockingContract } from './contract-blocking.js';
import { runConcurrencyLimitsContract } from './contract-concurrency-limits.js';
import { runMucContract } from './contract-muc.js';

export interface StorageFixture {
  storage: Storage;
  /** A second handle on the same data, as another node would hold (a second connection or pool). */
  second: Storage;
  cleanup(): Promise<void>;
}

/** Two handles on one store, closed (then `after`) at cleanup. */
export function twoHandles(storage: Storage, second: Storage, after: () => Promise<void> = async () => undefined): StorageFixture {
  return {
    storage,
    second,
    async cleanup() {
      await second.close();
      await storage.close();
      await after();
    },
  };
}

export function runStorageContract(name: string, make: () => Promise<StorageFixture>): void {
  describe(`storage contract: ${name}`, () => {
    let fixture: StorageFixture;

    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const current = (): Storage => fixture.storage;
    runUserContract(current);
    runKvContract(current);
    runRosterContract(current);
    runRosterUpdateContract(current);
    runOfflineContract(current);
    runHeldContract(current);
    runPubsubContract(current);
    runFastTokenContract(current);
    runArchiveContract(current);
    runPrivateXmlContract(current);
    runVCardContract(current);
    runInviteContract(current);
    runPushContract(current);
    runConcurrencyContract(() => [fixture.storage, fixture.second]);
    runUploadContract(current);
    runBlockingContract(current);
    runConcurrencyLimitsContract(() => [fixture.storage, fixture.second]);
    runMucContract(current, () => fixture.second);

    describe('close', () => {
      it('can be called twice, and later calls reject', async () => {
        const { storage } = fixture;
        await storage.close();
        await storage.close();
        await expect(storage.users.exists('example.org', 'alice')).rejects.toThrow();
        await expect(storage.kv.get('s', 'k')).rejects.toThrow();
        await expect(storage.roster.get('alice@example.org')).rejects.toThrow();
        const bob: RosterItem = { jid: 'bob@example.org', subscription: 'none', ask: false, approved: false, groups: [] };
        await expect(storage.roster.put('alice@example.org', bob)).rejects.toThrow();
        await expect(storage.roster.changesSince('alice@example.org', 0)).rejects.toThrow();
        await expect(storage.offline.store('alice@example.org', { stanzaId: 's', stanza: '<message/>', storedAt: 1 }, 10)).rejects.toThrow();
        await expect(storage.offline.list('alice@example.org')).rejects.toThrow();
        await expect(storage.held.pairs()).rejects.toThrow();
        await expect(storage.pubsub.listNodes('alice@example.org')).rejects.toThrow();
        await expect(storage.fastTokens.list('alice@example.org')).rejects.toThrow();
        await expect(storage.archive.query('alice@example.org', { max: 1, fromEnd: true })).rejects.toThrow();
        await expect(storage.archive.append('alice@example.org', { id: 'i', with: 'b@example.org', direction: 'in', stanza: '<message/>', timestamp: 1 })).rejects.toThrow();
        await expect(storage.privateXml.get('alice@example.org', 'p', 'urn:a')).rejects.toThrow();
      });
    });
  });
}

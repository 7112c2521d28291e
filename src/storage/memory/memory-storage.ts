// Storage held in process memory: for unit tests and quick runs. Nothing survives close().
import { createMemoryUploadRepository } from './uploads.js';
import { createMemoryMucRepository } from './muc.js';
import { createMemoryArchiveRepository } from './archive.js';
import { createMemoryHeldRepository } from './held.js';
import type { Storage } from '../types.js';
import { createMemoryKeyValueRepository } from './kv.js';
import { createMemoryUserRepository } from './users.js';
import { createMemoryRosterRepository } from './roster.js';
import { createMemoryOfflineRepository } from './offline.js';
import { createMemoryPubsubRepository } from './pubsub.js';
import { createMemoryFastTokenRepository } from './fast-tokens.js';
import { createMemoryPrivateXmlRepository } from './private-xml.js';
import { createMemoryVCardRepository } from './vcards.js';
import { createMemoryInviteRepository } from './invites.js';
import { createMemoryPushRepository } from './push.js';
import { createMemoryAbuseReportRepository, createMemoryBlocklistRepository } from './blocking.js';

export function createMemoryStorage(): Storage {
  let open = true;
  // Behave like a closed database connection, so tests catch use-after-close with either backend.
  const assertOpen = (): void => {
    if (!open) throw new Error('storage is closed');
  };
  return {
    users: createMemoryUserRepository(assertOpen),
    kv: createMemoryKeyValueRepository(assertOpen),
    roster: createMemoryRosterRepository(assertOpen),
    offline: createMemoryOfflineRepository(assertOpen),
    held: createMemoryHeldRepository(assertOpen),
    pubsub: createMemoryPubsubRepository(assertOpen),
    fastTokens: createMemoryFastTokenRepository(assertOpen),
    archive: createMemoryArchiveRepository(assertOpen),
    privateXml: createMemoryPrivateXmlRepository(assertOpen),
    vcards: createMemoryVCardRepository(assertOpen),
    invites: createMemoryInviteRepository(assertOpen),
    push: createMemoryPushRepository(assertOpen),
    uploads: createMemoryUploadRepository(assertOpen),
    muc: createMemoryMucRepository(assertOpen),
    blocklists: createMemoryBlocklistRepository(assertOpen),
    abuseReports: createMemoryAbuseReportRepository(assertOpen),
    async close() {
      open = false;
    },
  };
}

// Storage in PostgreSQL: one pool shared by every repository; the schema is brought up to date
// before anything else runs. A new repository is one file beside this one, one line below and one
// step in migrations.ts.
import type { Storage } from '../types.js';
import { createPostgresArchiveRepository } from './archive.js';
import { createPostgresFastTokenRepository } from './fast-tokens.js';
import { createPostgresHeldRepository } from './held.js';
import { createPostgresKeyValueRepository } from './kv.js';
import { createPostgresOfflineRepository } from './offline.js';
import { migratePostgres } from './migrations.js';
import { createPool, PostgresUnavailableError } from './pool.js';
import { createPostgresPrivateXmlRepository } from './private-xml.js';
import { createPostgresPubsubRepository } from './pubsub.js';
import { createPostgresRosterRepository } from './roster.js';
import { createPostgresUserRepository } from './users.js';
import { createPostgresVCardRepository } from './vcards.js';
import { createPostgresInviteRepository } from './invites.js';
import { createPostgresPushRepository } from './push.js';
import { createPostgresUploadRepository } from './uploads.js';
import { createPostgresMucRepository } from './muc.js';
import { createPostgresAbuseReportRepository, createPostgresBlocklistRepository } from './blocking.js';

/** Connects, migrates, and resolves once the database is usable; PostgresUnavailableError otherwise. */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const db = createPool(url);
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.end().catch(() => undefined);
    throw new PostgresUnavailableError(url, error);
  }
  let closed = false;
  const archive = createPostgresArchiveRepository(db);
  return {
    users: createPostgresUserRepository(db),
    kv: createPostgresKeyValueRepository(db),
    roster: createPostgresRosterRepository(db),
    offline: createPostgresOfflineRepository(db),
    held: createPostgresHeldRepository(db),
    pubsub: createPostgresPubsubRepository(db),
    fastTokens: createPostgresFastTokenRepository(db),
    archive,
    privateXml: createPostgresPrivateXmlRepository(db),
    vcards: createPostgresVCardRepository(db),
    invites: createPostgresInviteRepository(db),
    push: createPostgresPushRepository(db),
    uploads: createPostgresUploadRepository(db),
    muc: createPostgresMucRepository(db),
    blocklists: createPostgresBlocklistRepository(db),
    abuseReports: createPostgresAbuseReportRepository(db),
    async close() {
      if (closed) return;
      closed = true;
      await archive.settled();
      await db.end();
    },
  };
}

// The feature modules shipped with Herald, in load order.
import { lastActivityModule } from './last-activity/index.js';
import { contactAddressesModule } from './contact-addresses/index.js';
import type { HeraldModule } from '../core/modules/module.js';
import { discoModule } from './disco/index.js';
import { messageModule } from './message/index.js';
import { offlineModule } from './offline/index.js';
import { presenceModule } from './presence/index.js';
import { rosterModule } from './roster/index.js';
import { pingModule } from './ping/index.js';
import { registerModule } from './register/index.js';
import { timeModule } from './time/index.js';
import { versionModule } from './version/index.js';
import { carbonsModule } from './carbons/index.js';
import { capsModule } from './caps/index.js';
import { receiptsModule } from './receipts/index.js';
import { pepModule } from './pep/index.js';
import { mamModule } from './mam/index.js';
import { privateModule } from './private/index.js';
import { bookmarksModule } from './bookmarks/index.js';
import { vcardModule } from './vcard/index.js';
import { invitesModule } from './invites/index.js';
import { adhocModule } from './adhoc/index.js';
import { csiModule } from './csi/index.js';
import { pushModule } from './push/index.js';
import { externalServicesModule } from './external-services/index.js';
import { hostMetaModule } from './host-meta/index.js';
import { uploadModule } from './upload/index.js';
import { blockingModule } from './blocking/index.js';
import { mucModule } from './muc/index.js';
import { metricsModule } from './metrics/index.js';
import { adminConsoleModule } from './admin-console/index.js';

export const builtinModules: HeraldModule[] = [
  rosterModule,
  presenceModule,
  messageModule,
  offlineModule,
  discoModule,
  pingModule,
  versionModule,
  timeModule,
  registerModule,
  carbonsModule,
  capsModule,
  receiptsModule,
  pepModule,
  lastActivityModule,
  contactAddressesModule,
  mamModule,
  privateModule,
  bookmarksModule,
  vcardModule,
  invitesModule,
  adhocModule,
  csiModule,
  pushModule,
  externalServicesModule,
  hostMetaModule,
  uploadModule,
  blockingModule,
  mucModule,
  metricsModule,
  adminConsoleModule,
];

// modules.muc.options: where the service lives and the limits that keep one user from filling it.
import type { ModuleContext } from '../../core/modules/module.js';
import { positiveIntegerOption, rejectUnknownOptions, stringOption } from '../../core/modules/options.js';

export interface MucOptions {
  /** The service domain is `<subdomain>.<domain>` for each hosted domain. */
  subdomain: string;
  /** Rooms one account may have created and that still exist. */
  maxRoomsPerUser: number;
  /** Occupants a room may hold at most; a room's own muc#roomconfig_maxusers may only lower it. */
  maxOccupantsPerRoom: number;
  /** Messages (groupchat and private) one occupant may send a minute, in bursts of up to that many. */
  maxMessagesPerMinute: number;
  /** Upper bound of a room's history length (muc#maxhistoryfetch). */
  maxHistory: number;
}

export function readMucOptions(ctx: ModuleContext): MucOptions {
  rejectUnknownOptions(ctx, ['subdomain', 'maxRoomsPerUser', 'maxOccupantsPerRoom', 'maxMessagesPerMinute', 'maxHistory']);
  return {
    subdomain: stringOption(ctx, 'subdomain', /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a DNS label such as conference') ?? 'conference',
    maxRoomsPerUser: positiveIntegerOption(ctx, 'maxRoomsPerUser', 50),
    maxOccupantsPerRoom: positiveIntegerOption(ctx, 'maxOccupantsPerRoom', 1000),
    maxMessagesPerMinute: positiveIntegerOption(ctx, 'maxMessagesPerMinute', 120),
    maxHistory: positiveIntegerOption(ctx, 'maxHistory', 100),
  };
}

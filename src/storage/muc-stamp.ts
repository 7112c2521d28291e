// A fresh occupants stamp for a room (see MucUpdated): random, so a room deleted and created again
// never repeats a stamp that a node's cache still holds.
import { randomBytes } from 'node:crypto';
import type { MucOccupant, MucOccupantFilter } from './muc-types.js';

export const newOccupantsStamp = (): string => randomBytes(9).toString('base64url');

export const matchesFilter = (occupant: MucOccupant, only: MucOccupantFilter | undefined): boolean =>
  only === undefined || occupant.jid === only.jid || occupant.nick === only.nick;

/** Whether a change touches occupants (and so needs a new stamp). */
export const changesOccupants = (change: { write?: unknown; putOccupants?: unknown[]; removeOccupants?: unknown[] }): boolean =>
  change.write === 'delete' || (change.putOccupants?.length ?? 0) > 0 || (change.removeOccupants?.length ?? 0) > 0;

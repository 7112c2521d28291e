// Multi-user chat rooms (XEP-0045): the authoritative state of each room, shared by every node.
// The room's discussion history and archive live in the ArchiveRepository under the room's JID.

export type MucAffiliation = 'owner' | 'admin' | 'member' | 'outcast';
export type MucRole = 'moderator' | 'participant' | 'visitor';

/** What the owner sets through the muc#roomconfig form (XEP-0045 §10.2). */
export interface MucRoomConfig {
  name: string;
  description: string;
  persistent: boolean;
  public: boolean;
  membersOnly: boolean;
  moderated: boolean;
  /** Empty: no password. */
  password: string;
  /** Who sees occupants' real JIDs. */
  whois: 'anyone' | 'moderators';
  maxUsers: number;
  /** Messages sent to a joining occupant at most. */
  historyLength: number;
  allowInvites: boolean;
  /** Participants (not only moderators) may change the subject. */
  changeSubject: boolean;
  /** Roles that may read the member list (muc#roomconfig_getmemberlist). */
  memberListVisibleTo: MucRole[];
  /** Private messages within the room (muc#roomconfig_allowpm). */
  allowPrivateMessages: boolean;
  /** Roles whose presence the room broadcasts (muc#roomconfig_presencebroadcast); absent in rooms stored before it: all. */
  presenceBroadcast?: MucRole[] | undefined;
}

/** Someone in the room: one nickname, one real full JID. Stored in a row of its own. */
export interface MucOccupant {
  nick: string;
  /** The occupant's real full JID. */
  jid: string;
  role: MucRole;
  /** XEP-0421: stable per real bare JID and room, opaque to others. */
  occupantId: string;
  /** Children of the occupant's last available presence (status, show, caps …), as XML. */
  presence: string;
  /** The node that handled the join (holds the session or the s2s link): cleared when it starts again. */
  node: string;
}

export interface MucRoom {
  /** The room's bare JID. */
  jid: string;
  config: MucRoomConfig;
  /** Bare JID → affiliation (none is not stored), with a reserved nick for members. */
  affiliations: Record<string, { affiliation: MucAffiliation; nick?: string | undefined; reason?: string | undefined }>;
  subject?: { text: string; nick: string } | undefined;
  /** §10.1.2: a new room accepts nobody but its owner until configured or accepted as instant. */
  locked: boolean;
  createdAt: number;
  /** The bare JID that created the room (counts against its rooms-per-user limit). */
  creator: string;
  /** XEP-0486: SHA-1 of the photo in the room's vCard (kept in storage.vcards under the room JID). */
  avatarHash?: string | undefined;
}

/** What an update's decision sees: the room, its occupant count, and the occupants it asked for. */
export interface MucRoomState {
  room: MucRoom | undefined;
  /** Every occupant, or only those matching the update's `only` filter. */
  occupants: MucOccupant[];
  occupantCount: number;
}

/** Which occupants an update loads: those with this real full JID or this nick (a join needs no more). */
export interface MucOccupantFilter {
  jid: string;
  nick: string;
}

/** What an atomic room update writes: a new state or the room's removal (with its occupants), and occupant rows. */
export interface MucRoomChange<T> {
  result: T;
  write?: MucRoom | 'delete';
  /** Occupants added or replaced, keyed by room and real full JID. */
  putOccupants?: MucOccupant[];
  /** Occupants removed, by real full JID. */
  removeOccupants?: string[];
}

/**
 * Every change to a room's occupants gives it a new opaque stamp, so a node may keep the occupant
 * list in a cache and trust it while the room's stamp is the one it cached (empty: no room).
 */
export interface MucUpdated<T> {
  result: T;
  stampBefore: string;
  stampAfter: string;
}

export interface MucOccupantList {
  /** Read before the rows: a change racing with the read leaves an older stamp, never a newer one. */
  stamp: string;
  occupants: MucOccupant[];
}

/**
 * Rooms keyed by their bare JID, occupants in rows of their own. `update` runs read, decision and
 * write as one atomic step per room (as RosterRepository.update does), so occupants joining
 * through two nodes at once cannot both take the last seat or the same nickname.
 */
export interface MucRepository {
  get(room: string): Promise<{ room: MucRoom; occupantsStamp: string } | undefined>;
  update<T>(room: string, decide: (state: MucRoomState) => MucRoomChange<T>, only?: MucOccupantFilter): Promise<MucUpdated<T>>;
  /** Every room of a service domain (conference.example.org), by JID. */
  list(domain: string): Promise<MucRoom[]>;
  /** A room's occupants, ordered by when they joined. */
  occupants(room: string): Promise<MucOccupantList>;
  /**
   * A node starting again: its occupants (every occupant when `node` is undefined, for a lone
   * node) of the service `domain` are removed, room by room, each room's stamp renewed.
   */
  removeOccupants(domain: string, node: string | undefined): Promise<Array<{ room: string; occupants: MucOccupant[] }>>;
}

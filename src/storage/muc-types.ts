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
}

/** Someone in the room: one nickname, one real full JID. */
export interface MucOccupant {
  nick: string;
  /** The occupant's real full JID. */
  jid: string;
  role: MucRole;
  /** XEP-0421: stable per real bare JID and room, opaque to others. */
  occupantId: string;
  /** Children of the occupant's last available presence (status, show, caps …), as XML. */
  presence: string;
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
  occupants: MucOccupant[];
}

/** What an atomic room update writes: a new state, or the room's removal; nothing when left out. */
export interface MucRoomChange<T> {
  result: T;
  write?: MucRoom | 'delete';
}

/**
 * Rooms keyed by their bare JID. `update` runs read, decision and write as one atomic step (as
 * RosterRepository.update does), so occupants joining through two nodes at once cannot both take
 * the last seat or the same nickname.
 */
export interface MucRepository {
  get(room: string): Promise<MucRoom | undefined>;
  update<T>(room: string, decide: (room: MucRoom | undefined) => MucRoomChange<T>): Promise<T>;
  /** Every room of a service domain (conference.example.org), by JID. */
  list(domain: string): Promise<MucRoom[]>;
}

// XEP-0045 §10.2: the muc#roomconfig form an owner fills in, and reading the submitted form back
// into a room configuration. Fields the service does not know are ignored (clients such as
// Conversations send server-specific ones); a known field with a bad value is a bad-request.
import { fillableForm, submittedValues, type FormField } from '../../protocol/data-form.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { Element } from '../../xml/element.js';
import type { MucRole, MucRoomConfig } from '../../storage/types.js';
import { NS_ROOMCONFIG } from './namespaces.js';
import type { MucOptions } from './options.js';

const ROLES: readonly MucRole[] = ['moderator', 'participant', 'visitor'];
const bool = (value: boolean): string[] => [value ? '1' : '0'];

export function configForm(config: MucRoomConfig, options: MucOptions): Element {
  const fields: FormField[] = [
    { var: 'muc#roomconfig_roomname', label: 'Name', values: [config.name] },
    { var: 'muc#roomconfig_roomdesc', label: 'Description', values: [config.description] },
    { var: 'muc#roomconfig_persistentroom', type: 'boolean', label: 'Keep the room when the last person leaves', values: bool(config.persistent) },
    { var: 'muc#roomconfig_publicroom', type: 'boolean', label: 'List the room in the directory', values: bool(config.public) },
    { var: 'muc#roomconfig_membersonly', type: 'boolean', label: 'Only members may enter', values: bool(config.membersOnly) },
    { var: 'muc#roomconfig_moderatedroom', type: 'boolean', label: 'Only participants with voice may speak', values: bool(config.moderated) },
    { var: 'muc#roomconfig_passwordprotectedroom', type: 'boolean', label: 'Require a password to enter', values: bool(config.password !== '') },
    { var: 'muc#roomconfig_roomsecret', type: 'text-private', label: 'Password', values: [config.password] },
    { var: 'muc#roomconfig_whois', type: 'list-single', label: 'Who may see real addresses', options: ['moderators', 'anyone'], values: [config.whois] },
    { var: 'muc#roomconfig_maxusers', type: 'list-single', label: `Most occupants (up to ${options.maxOccupantsPerRoom})`, options: ['10', '20', '50', '100', String(options.maxOccupantsPerRoom)], values: [String(config.maxUsers)] },
    { var: 'muc#maxhistoryfetch', label: `Messages of history sent on entering (up to ${options.maxHistory})`, values: [String(config.historyLength)] },
    { var: 'muc#roomconfig_allowinvites', type: 'boolean', label: 'Occupants may invite others', values: bool(config.allowInvites) },
    { var: 'muc#roomconfig_changesubject', type: 'boolean', label: 'Occupants may change the subject', values: bool(config.changeSubject) },
    { var: 'muc#roomconfig_getmemberlist', type: 'list-multi', label: 'Roles that may read the member list', options: [...ROLES], values: config.memberListVisibleTo },
    { var: 'muc#roomconfig_presencebroadcast', type: 'list-multi', label: 'Roles whose presence is broadcast', options: [...ROLES], values: config.presenceBroadcast ?? [...ROLES] },
    { var: 'muc#roomconfig_allowpm', type: 'list-single', label: 'Private messages within the room', options: ['anyone', 'none'], values: [config.allowPrivateMessages ? 'anyone' : 'none'] },
  ];
  return fillableForm(NS_ROOMCONFIG, 'Room configuration', fields);
}

function single(name: string, values: string[]): string {
  return values[0]?.trim() ?? '';
}

function boolean(name: string, values: string[]): boolean {
  const value = single(name, values);
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new StanzaError('bad-request', `${name} must be 1 or 0, not '${value}'`);
}

function count(name: string, values: string[], min: number, max: number): number {
  const value = single(name, values);
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) throw new StanzaError('not-acceptable', `${name} must be a number from ${min} to ${max}, not '${value}'`);
  return Number(value);
}

function choice<T extends string>(name: string, values: string[], allowed: readonly T[]): T {
  const value = single(name, values);
  if (!(allowed as readonly string[]).includes(value)) throw new StanzaError('bad-request', `${name} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

/** The configuration a submitted form asks for; fields left out keep their value. */
export function applyConfigForm(current: MucRoomConfig, form: Element, options: MucOptions): MucRoomConfig {
  const next = { ...current };
  let passwordProtected: boolean | undefined;
  for (const [name, values] of submittedValues(form)) {
    switch (name) {
      case 'FORM_TYPE':
        if (single(name, values) !== NS_ROOMCONFIG) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_ROOMCONFIG}`);
        break;
      case 'muc#roomconfig_roomname': next.name = single(name, values); break;
      case 'muc#roomconfig_roomdesc': next.description = single(name, values); break;
      case 'muc#roomconfig_persistentroom': next.persistent = boolean(name, values); break;
      case 'muc#roomconfig_publicroom': next.public = boolean(name, values); break;
      case 'muc#roomconfig_membersonly': next.membersOnly = boolean(name, values); break;
      case 'muc#roomconfig_moderatedroom': next.moderated = boolean(name, values); break;
      case 'muc#roomconfig_passwordprotectedroom': passwordProtected = boolean(name, values); break;
      case 'muc#roomconfig_roomsecret': next.password = single(name, values); break;
      case 'muc#roomconfig_whois': next.whois = choice(name, values, ['moderators', 'anyone'] as const); break;
      // §10.2's example form offers "none" (no limit of the room's own): the service's limit then applies.
      case 'muc#roomconfig_maxusers': next.maxUsers = single(name, values) === 'none' ? options.maxOccupantsPerRoom : count(name, values, 1, options.maxOccupantsPerRoom); break;
      case 'muc#maxhistoryfetch':
      case 'muc#roomconfig_historylength': next.historyLength = count(name, values, 0, options.maxHistory); break;
      case 'muc#roomconfig_allowinvites': next.allowInvites = boolean(name, values); break;
      case 'muc#roomconfig_changesubject': next.changeSubject = boolean(name, values); break;
      case 'muc#roomconfig_getmemberlist':
        next.memberListVisibleTo = values.map((v) => choice(name, [v], ROLES));
        break;
      case 'muc#roomconfig_presencebroadcast':
        next.presenceBroadcast = values.map((v) => choice(name, [v], ROLES));
        break;
      case 'muc#roomconfig_allowpm': next.allowPrivateMessages = choice(name, values, ['anyone', 'participants', 'moderators', 'none'] as const) !== 'none'; break;
      default:
        break;
    }
  }
  if (passwordProtected === false) next.password = '';
  if (passwordProtected === true && next.password === '') throw new StanzaError('not-acceptable', 'a password-protected room needs muc#roomconfig_roomsecret');
  return next;
}

// XEP-0060 §16.4.4 pubsub#node_config as PEP uses it: the defaults (XEP-0163 §7), reading a
// submitted form (node configuration, §8.2, and publish-options preconditions, §7.1.5) and
// rendering the configuration form.
import { NS } from '../../xml/ns.js';
import { xml, type Element } from '../../xml/element.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { PubsubAccessModel, PubsubNodeConfig, SendLastPublishedItem } from '../../storage/types.js';
import { FORM_NODE_CONFIG, pubsubError } from './errors.js';
import type { PepLimits } from './options.js';

/** XEP-0163 §7: presence access, last item on subscription and presence; items persist. */
export function defaultNodeConfig(): PubsubNodeConfig {
  return { accessModel: 'presence', rosterGroups: [], persistItems: true, maxItems: 1, sendLastPublishedItem: 'on_sub_and_presence', notifyRetract: true };
}

const ACCESS_MODELS: readonly PubsubAccessModel[] = ['open', 'presence', 'roster', 'whitelist'];
const SEND_LAST: readonly SendLastPublishedItem[] = ['never', 'on_sub', 'on_sub_and_presence'];
/** Behaviour Herald does not let a node change, shown in the form with the value it has. */
const FIXED: Readonly<Record<string, string>> = {
  'pubsub#deliver_payloads': '1',
  'pubsub#deliver_notifications': '1',
  'pubsub#notify_delete': '1',
  'pubsub#publish_model': 'publishers',
  /** XEP-0163 §4.3.2: notifications are headlines. */
  'pubsub#notification_type': 'headline',
};

export interface SubmittedField {
  name: string;
  values: string[];
}

/** The fields of a submitted data form with the given FORM_TYPE; undefined when there is none. */
export function submittedFields(container: Element | undefined, formType: string): SubmittedField[] | undefined {
  const form = container?.getChild('x');
  if (!form) return undefined;
  if (form.attrs.type === 'cancel') return [];
  const fields = form.getChildren('field').map((f) => ({ name: String(f.attrs.var ?? ''), values: f.getChildren('value').map((v) => v.getText()) }));
  const type = fields.find((f) => f.name === 'FORM_TYPE')?.values[0];
  if (type !== formType) throw new StanzaError('bad-request', `the data form's FORM_TYPE must be ${formType}`);
  return fields.filter((f) => f.name !== 'FORM_TYPE');
}

function single(field: SubmittedField): string {
  return field.values[0] ?? '';
}

function booleanOf(field: SubmittedField): boolean {
  const value = single(field);
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new StanzaError('not-acceptable', `${field.name} must be a boolean (0, 1, false or true), found '${value}'`);
}

function maxItemsOf(field: SubmittedField, limits: PepLimits): number {
  const value = single(field);
  if (value === 'max') return limits.maxItemsPerNode;
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) throw new StanzaError('not-acceptable', `pubsub#max_items must be a positive integer or 'max', found '${value}'`);
  if (n > limits.maxItemsPerNode) {
    throw new StanzaError('not-acceptable', `pubsub#max_items may be at most ${limits.maxItemsPerNode} on this server (or 'max'), found ${n}`);
  }
  return n;
}

function oneOf<T extends string>(field: SubmittedField, allowed: readonly T[]): T {
  const value = single(field);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  if (field.name === 'pubsub#access_model') {
    throw pubsubError('not-acceptable', 'unsupported-access-model', `access model '${value}' is not offered; use one of ${allowed.join(', ')}`);
  }
  throw new StanzaError('not-acceptable', `${field.name} must be one of ${allowed.join(', ')}, found '${value}'`);
}

/**
 * Applies the submitted fields to a configuration. Unknown fields are refused (XEP-0060 §7.1.5
 * requires it for preconditions), so a client never believes a setting took effect when it did not.
 */
export function applyFields(base: PubsubNodeConfig, fields: readonly SubmittedField[], limits: PepLimits): PubsubNodeConfig {
  const config: PubsubNodeConfig = { ...base, rosterGroups: [...base.rosterGroups] };
  for (const field of fields) {
    switch (field.name) {
      case 'pubsub#access_model':
        config.accessModel = oneOf(field, ACCESS_MODELS);
        break;
      case 'pubsub#roster_groups_allowed':
        config.rosterGroups = [...new Set(field.values)];
        break;
      case 'pubsub#persist_items':
        config.persistItems = booleanOf(field);
        break;
      case 'pubsub#max_items':
        config.maxItems = maxItemsOf(field, limits);
        break;
      case 'pubsub#send_last_published_item':
        config.sendLastPublishedItem = oneOf(field, SEND_LAST);
        break;
      case 'pubsub#notify_retract':
        config.notifyRetract = booleanOf(field);
        break;
      case 'pubsub#title':
        config.title = single(field);
        break;
      default: {
        const fixed = FIXED[field.name];
        if (fixed === undefined) throw new StanzaError('not-acceptable', `node option '${field.name}' is not supported by this server`);
        if (fixed === '1' ? !booleanOf(field) : single(field) !== fixed) {
          throw new StanzaError('not-acceptable', `${field.name} is fixed to '${fixed}' on this server`);
        }
      }
    }
  }
  return config;
}

/** The §7.1.5 preconditions that an existing node's configuration does not meet, by field name. */
export function unmetPreconditions(existing: PubsubNodeConfig, fields: readonly SubmittedField[], limits: PepLimits): string[] {
  const wanted = applyFields(existing, fields, limits);
  const same = (a: PubsubNodeConfig, b: PubsubNodeConfig, name: string): boolean => {
    switch (name) {
      case 'pubsub#access_model':
        return a.accessModel === b.accessModel;
      case 'pubsub#roster_groups_allowed':
        return [...a.rosterGroups].sort().join('\n') === [...b.rosterGroups].sort().join('\n');
      case 'pubsub#persist_items':
        return a.persistItems === b.persistItems;
      case 'pubsub#max_items':
        return a.maxItems === b.maxItems;
      case 'pubsub#send_last_published_item':
        return a.sendLastPublishedItem === b.sendLastPublishedItem;
      case 'pubsub#notify_retract':
        return a.notifyRetract === b.notifyRetract;
      case 'pubsub#title':
        return a.title === b.title;
      default:
        return true; // fixed fields, already checked by applyFields
    }
  };
  return fields.filter((f) => !same(existing, wanted, f.name)).map((f) => f.name);
}

/** Items a node keeps: a node that does not persist keeps only its newest (for last-published). */
export function itemsKept(config: PubsubNodeConfig): number {
  return config.persistItems ? config.maxItems : 1;
}

const field = (name: string, type: string, label: string, values: string[], options: string[] = []): Element =>
  xml(
    'field',
    { var: name, type, label },
    ...values.map((v) => xml('value', null, v)),
    ...options.map((o) => xml('option', null, xml('value', null, o))),
  );

/** §8.2.4: the configuration form of a node. */
export function configForm(config: PubsubNodeConfig): Element {
  const bool = (b: boolean): string => (b ? '1' : '0');
  return xml(
    'x',
    { xmlns: NS.dataForms, type: 'form' },
    field('FORM_TYPE', 'hidden', '', [FORM_NODE_CONFIG]),
    field('pubsub#title', 'text-single', 'A friendly name for the node', config.title === undefined ? [] : [config.title]),
    field('pubsub#access_model', 'list-single', 'Who may subscribe and retrieve items', [config.accessModel], [...ACCESS_MODELS]),
    field('pubsub#roster_groups_allowed', 'list-multi', 'Roster groups allowed (access model roster)', config.rosterGroups),
    field('pubsub#persist_items', 'boolean', 'Persist items', [bool(config.persistItems)]),
    field('pubsub#max_items', 'text-single', 'Maximum number of items kept', [String(config.maxItems)]),
    field('pubsub#send_last_published_item', 'list-single', 'When to send the last published item', [config.sendLastPublishedItem], [...SEND_LAST]),
    field('pubsub#notify_retract', 'boolean', 'Notify subscribers when items are retracted', [bool(config.notifyRetract)]),
    ...Object.entries(FIXED).map(([name, value]) => field(name, value === '1' ? 'boolean' : 'list-single', 'Fixed on this server', [value])),
  );
}

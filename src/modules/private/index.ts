// XEP-0049 Private XML Storage (jabber:iq:private): an account keeps XML fragments on its server,
// one per (element name, namespace), readable and writable only by the account itself.
//   storage  ctx.storage.privateXml (src/storage/*/private-xml.ts); deleted with the account
//   IQ       jabber:iq:private get/set to the account (or with no 'to')
//   events   fires private/get and private/set: a module keeping an element elsewhere claims it
// Not the kv repository: a per-account byte limit has to be checked in the same atomic step that
// writes, and account deletion has to find every row of the account.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { buildElement } from '../../xml/element-builder.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import type { PrivateXmlEntry } from '../../storage/types.js';
import type { PrivateXmlEvent } from '../../core/events.js';

export const NS_PRIVATE = 'jabber:iq:private';

/**
 * Bookmarks (XEP-0048) for hundreds of rooms take tens of KiB; client preferences less. 1 MiB
 * leaves ample room while bounding what one account can make the server keep.
 */
const DEFAULT_MAX_BYTES_PER_ACCOUNT = 1024 * 1024;

/** The account the request is about, after XEP-0049 §3's rule that only it may use its storage. */
function ownAccount(iq: IqRequest): string {
  const account = iq.to.bare.toString();
  if (iq.from.toBareString() !== account) throw new StanzaError('forbidden', `only ${account} may read or write its private XML storage`);
  return account;
}

/** The query's children, each with its own namespace (XEP-0049 §2.3: required). */
function fragmentsOf(query: Element, type: 'get' | 'set'): Array<{ element: Element; namespace: string }> {
  const children = query.getChildElements();
  if (children.length === 0) {
    // XEP-0049 §2.3: "Bad Format" (bad-request) for a get; the example answers a set with not-acceptable.
    throw new StanzaError(type === 'get' ? 'bad-request' : 'not-acceptable', `<query xmlns='${NS_PRIVATE}'/> needs a child element in its own namespace`);
  }
  if (type === 'get' && children.length > 1) {
    throw new StanzaError('not-acceptable', `ask for one element per request (XEP-0049 §2.3); found ${children.length}`);
  }
  return children.map((element) => {
    const namespace = element.getNS();
    if (!namespace || namespace === NS_PRIVATE) throw new StanzaError('not-acceptable', `<${element.name}/> needs its own namespace (xmlns), not ${NS_PRIVATE}`);
    return { element, namespace };
  });
}

async function getPrivate(ctx: ModuleContext, iq: IqRequest): Promise<Element> {
  const account = ownAccount(iq);
  const { element, namespace } = fragmentsOf(iq.payload, 'get')[0]!;
  const event: PrivateXmlEvent = { account: iq.to.bare, name: element.name, namespace };
  if ((await ctx.fire('private/get', event)) && event.result) return xml('query', { xmlns: NS_PRIVATE }, event.result);
  const stored = await ctx.storage.privateXml.get(account, element.name, namespace);
  // Nothing stored: the empty element asked for, as existing servers answer.
  return xml('query', { xmlns: NS_PRIVATE }, stored === undefined ? xml(element.name, { xmlns: namespace }) : buildElement(stored));
}

async function setPrivate(ctx: ModuleContext, maxBytesPerAccount: number, iq: IqRequest): Promise<null> {
  const account = ownAccount(iq);
  const entries: PrivateXmlEntry[] = [];
  for (const { element, namespace } of fragmentsOf(iq.payload, 'set')) {
    // A copy with its namespace declared, so it can be stored and served alone.
    const copy = cloneElement(element);
    copy.attrs.xmlns = namespace;
    // Elements another module keeps (XEP-0048 bookmarks as XEP-0402 items) are not stored here.
    if (await ctx.fire('private/set', { account: iq.to.bare, name: element.name, namespace, element: copy })) continue;
    entries.push({ name: element.name, namespace, xml: copy.toString() });
  }
  if (entries.length === 0) return null;
  if ((await ctx.storage.privateXml.put(account, entries, maxBytesPerAccount)) === 'full') {
    throw new StanzaError('policy-violation', `an account may keep at most ${maxBytesPerAccount} bytes of private XML; nothing was stored`);
  }
  return null;
}

export const privateModule: HeraldModule = {
  name: 'private',
  enabledByDefault: true,

  load(ctx) {
    rejectUnknownOptions(ctx, ['maxBytesPerAccount']);
    const maxBytesPerAccount = positiveIntegerOption(ctx, 'maxBytesPerAccount', DEFAULT_MAX_BYTES_PER_ACCOUNT);
    ctx.handleIq({ target: 'account', type: 'get', xmlns: NS_PRIVATE, name: 'query', handler: (iq) => getPrivate(ctx, iq) });
    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_PRIVATE, name: 'query', handler: (iq) => setPrivate(ctx, maxBytesPerAccount, iq) });
  },
};

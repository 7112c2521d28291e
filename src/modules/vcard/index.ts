// vCard-temp (XEP-0054) per account, the XEP-0153 photo hash in available presence, and
// XEP-0398 conversion between the vCard PHOTO and the XEP-0084 avatar nodes.
//   storage  ctx.storage.vcards; ctx.storage.pubsub (read: avatar nodes)
//   IQ       vcard-temp get (anyone, to an account) and set (the account itself)
//   events   disco/info (host: vcard-temp; account: pep-vcard-conversion), pep/changed (a client's
//            avatar metadata), pre-presence/bare + /full + /host (XEP-0153 hash, presence.ts)
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { moduleEnabled, positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { buildElement } from '../../xml/element-builder.js';
import { cloneElement } from '../../xml/element.js';
import { NS_AVATAR_METADATA, photoFromAvatar, publishPhoto } from './avatar.js';
import { NS_VCARD, photoOf } from './photo.js';
import { registerPhotoHash } from './presence.js';

/**
 * A photo as large as an XEP-0084 data item may be (the pep module's maxItemBytes, 128 KiB of
 * base64) plus 32 KiB of text fields; below limits.maxStanzaBytes (256 KiB).
 */
const DEFAULT_MAX_BYTES = 160 * 1024;

async function getVCard(ctx: ModuleContext, iq: IqRequest) {
  const owner = iq.to.bare.toString();
  const stored = await ctx.storage.vcards.get(owner);
  if (stored !== undefined) return buildElement(stored);
  // RFC 6121 §8.5.1: an account that does not exist answers like an unsupported request.
  if (!(await ctx.accounts.exists(iq.to.bare))) throw new StanzaError('service-unavailable');
  throw new StanzaError('item-not-found', `${owner} has no vCard`);
}

async function setVCard(ctx: ModuleContext, maxBytes: number, convert: boolean, iq: IqRequest): Promise<null> {
  const owner = iq.to.bare.toString();
  if (iq.from.toBareString() !== owner) throw new StanzaError('forbidden', `only ${owner} may change its vCard`);
  // A copy: the stanza is shared with other handlers.
  const vcard = cloneElement(iq.payload);
  vcard.attrs.xmlns = NS_VCARD;
  const text = vcard.toString();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new StanzaError('not-acceptable', `the vCard is ${bytes} bytes; this server keeps vCards of at most ${maxBytes} bytes`);
  const photo = photoOf(vcard);
  if (vcard.getChild('PHOTO')?.getChild('BINVAL') && !photo) throw new StanzaError('bad-request', 'the PHOTO BINVAL is not base64');
  // Published first: when the avatar cannot be (too big for PEP, say), nothing is stored.
  if (convert) await publishPhoto(ctx, iq.to.bare, photo);
  await ctx.storage.vcards.put(owner, text);
  return null;
}

export const vcardModule: HeraldModule = {
  name: 'vcard',
  enabledByDefault: true,

  load(ctx) {
    rejectUnknownOptions(ctx, ['maxBytes']);
    const maxBytes = positiveIntegerOption(ctx, 'maxBytes', DEFAULT_MAX_BYTES);
    // XEP-0398 needs the avatar nodes, so PEP; without it vCards are plain vCards.
    const convert = moduleEnabled(ctx, 'pep');
    ctx.handleIq({ target: 'account', type: 'get', xmlns: NS_VCARD, name: 'vCard', handler: (iq) => getVCard(ctx, iq) });
    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_VCARD, name: 'vCard', handler: (iq) => setVCard(ctx, maxBytes, convert, iq) });

    ctx.on('pep/changed', async ({ owner, node, requester }) => {
      // A bare requester is this module publishing a vCard photo: nothing to convert back.
      if (node === NS_AVATAR_METADATA && !requester.isBare) await photoFromAvatar(ctx, owner);
      return false;
    });

    registerPhotoHash(ctx);

    ctx.on('disco/info', (event) => {
      if (event.node !== undefined) return;
      // XEP-0054 §6 on the server; XEP-0398 §2 on the account.
      if (event.target === 'host') event.features.add(NS_VCARD);
      else if (convert) event.features.add('urn:xmpp:pep-vcard-conversion:0');
    });
  },
};

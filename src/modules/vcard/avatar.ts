// XEP-0398 §3: the vCard PHOTO and the XEP-0084 avatar nodes hold the same image, whichever a
// client writes. PEP is written through the account's own PEP service (setAsAccount), so
// subscribers are notified as for a client's publish.
import { publishRequest, setAsAccount } from '../../core/modules/account-iq.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import { buildElement } from '../../xml/element-builder.js';
import { xml, type Element } from '../../xml/element.js';
import { photoOf, photoOfBase64, withPhoto, type Photo } from './photo.js';

export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data';
export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
const WHY = 'the vCard photo could not be published as an XEP-0084 avatar';

async function latestPayload(ctx: ModuleContext, owner: string, node: string): Promise<Element | undefined> {
  const [latest] = await ctx.storage.pubsub.items(owner, node, { max: 1 });
  return latest && latest.payload !== '' ? buildElement(latest.payload) : undefined;
}

/** XEP-0398 §3.2: the avatar id (SHA-1) the metadata node points at, for XEP-0153 presence. */
export async function publishedAvatarId(ctx: ModuleContext, owner: string): Promise<string | undefined> {
  const metadata = await latestPayload(ctx, owner, NS_AVATAR_METADATA);
  return metadata?.getChildren('info').find((info) => !info.attrs.url)?.attrs.id as string | undefined;
}

/** vCard published as a view of the image, so the vCard's readers may read the avatar too (XEP-0398 §6). */
async function optionsFor(ctx: ModuleContext, owner: string, node: string): Promise<Record<string, string> | undefined> {
  return (await ctx.storage.pubsub.getNode(owner, node)) ? undefined : { 'pubsub#access_model': 'open' };
}

/** XEP-0398 §3.2 vCard → PEP: the data item (id = SHA-1), then metadata with one info; no photo disables the avatar (XEP-0084 §4.5). */
export async function publishPhoto(ctx: ModuleContext, account: Jid, photo: Photo | undefined): Promise<void> {
  const owner = account.toString();
  const current = await publishedAvatarId(ctx, owner);
  if (photo?.hash === current) return;
  if (!photo) {
    if (current === undefined) return;
    const disable = xml('item', { id: ctx.ids.next() }, xml('metadata', { xmlns: NS_AVATAR_METADATA }));
    return setAsAccount(ctx, account, publishRequest(NS_AVATAR_METADATA, disable), WHY);
  }
  const data = xml('item', { id: photo.hash }, xml('data', { xmlns: NS_AVATAR_DATA }, photo.base64));
  await setAsAccount(ctx, account, publishRequest(NS_AVATAR_DATA, data, await optionsFor(ctx, owner, NS_AVATAR_DATA)), WHY);
  const info = xml('info', { id: photo.hash, bytes: String(photo.bytes), type: photo.type });
  const metadata = xml('item', { id: photo.hash }, xml('metadata', { xmlns: NS_AVATAR_METADATA }, info));
  await setAsAccount(ctx, account, publishRequest(NS_AVATAR_METADATA, metadata, await optionsFor(ctx, owner, NS_AVATAR_METADATA)), WHY);
}

/**
 * XEP-0398 §3.1 PEP → vCard: after a client publishes metadata, the vCard's PHOTO becomes the
 * image of its first info without a URL (checked against its SHA-1 id); empty metadata removes it.
 */
export async function photoFromAvatar(ctx: ModuleContext, account: Jid): Promise<void> {
  const owner = account.toString();
  const metadata = await latestPayload(ctx, owner, NS_AVATAR_METADATA);
  if (!metadata) return;
  const infos = metadata.getChildren('info');
  let photo: Photo | undefined;
  if (infos.length > 0) {
    const info = infos.find((i) => !i.attrs.url);
    const [data] = info ? await ctx.storage.pubsub.itemsById(owner, NS_AVATAR_DATA, [String(info.attrs.id)]) : [];
    photo = info && data && data.payload !== '' ? photoOfBase64(String(info.attrs.type ?? 'image/png'), buildElement(data.payload).getText()) : undefined;
    if (!photo || photo.hash !== info?.attrs.id) {
      ctx.log.debug({ owner }, 'avatar metadata points at no matching image in urn:xmpp:avatar:data; vCard left as it is');
      return;
    }
  }
  const stored = await ctx.storage.vcards.get(owner);
  const vcard = stored === undefined ? undefined : buildElement(stored);
  if ((vcard ? photoOf(vcard)?.hash : undefined) === photo?.hash) return;
  await ctx.storage.vcards.put(owner, withPhoto(vcard, photo).toString());
}

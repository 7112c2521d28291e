// XEP-0398 §4 (XEP-0153): the server puts the avatar's hash into every available presence a
// client sends, broadcast or directed (MUC joins too), unless the client sent <photo/> itself.
import { PRE_PRESENCE_BARE, type StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { cloneElement, xml } from '../../xml/element.js';
import { publishedAvatarId } from './avatar.js';

const NS_UPDATE = 'vcard-temp:x:update';

async function addPhotoHash(ctx: ModuleContext, event: StanzaEvent): Promise<false> {
  const { stanza, origin } = event;
  if (!origin || stanza.attrs.type !== undefined) return false;
  // A <photo/> the client chose (empty: "not ready", §4) stays; an <x/> without one is replaced.
  if (stanza.getChild('x', NS_UPDATE)?.getChild('photo')) return false;
  const hash = await publishedAvatarId(ctx, event.from.toBareString());
  const copy = cloneElement(stanza);
  copy.remove('x', NS_UPDATE);
  copy.cnode(xml('x', { xmlns: NS_UPDATE }, xml('photo', null, hash ?? '')));
  // Later handlers (the presence module's broadcast and routing) send the copy.
  event.stanza = copy;
  return false;
}

export function registerPhotoHash(ctx: ModuleContext): void {
  ctx.on('pre-presence/bare', (event) => addPhotoHash(ctx, event), PRE_PRESENCE_BARE.photoHash);
  ctx.on('pre-presence/full', (event) => addPhotoHash(ctx, event), PRE_PRESENCE_BARE.photoHash);
  ctx.on('pre-presence/host', (event) => addPhotoHash(ctx, event), PRE_PRESENCE_BARE.photoHash);
}

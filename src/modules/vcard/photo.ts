// The vCard PHOTO (XEP-0054 §2.2: TYPE and BINVAL, base64) and its XEP-0153/XEP-0084 id, the
// SHA-1 of the image bytes in hex.
import { createHash } from 'node:crypto';
import { cloneElement, xml, type Element } from '../../xml/element.js';

export const NS_VCARD = 'vcard-temp';

export interface Photo {
  type: string;
  /** Base64, whitespace removed. */
  base64: string;
  /** SHA-1 of the decoded image, hex. */
  hash: string;
  bytes: number;
}

export function photoOfBase64(type: string, base64: string): Photo | undefined {
  const clean = base64.replace(/\s+/g, '');
  if (clean === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  const image = Buffer.from(clean, 'base64');
  return { type, base64: clean, hash: createHash('sha1').update(image).digest('hex'), bytes: image.length };
}

/** The vCard's inline photo; undefined without one (an EXTVAL link is not an image we hold). */
export function photoOf(vcard: Element): Photo | undefined {
  const photo = vcard.getChild('PHOTO');
  const binval = photo?.getChildText('BINVAL');
  return binval ? photoOfBase64(photo?.getChildText('TYPE') ?? 'image/png', binval) : undefined;
}

/** A copy of the vCard with its PHOTO replaced (or removed when `photo` is undefined). */
export function withPhoto(vcard: Element | undefined, photo: Photo | undefined): Element {
  const copy = vcard ? cloneElement(vcard) : xml('vCard', { xmlns: NS_VCARD });
  while (copy.getChild('PHOTO')) copy.remove('PHOTO');
  if (photo) copy.cnode(xml('PHOTO', null, xml('TYPE', null, photo.type), xml('BINVAL', null, photo.base64)));
  return copy;
}

// SCRAM credentials from an XEP-0227 <scram-credentials/> element (XEP-0227 §2.3 of 1.1):
// base64 salt, StoredKey and ServerKey with an iteration count. ejabberd's export base64-encodes
// these twice; a key whose first decoding has the wrong length but whose second has the right
// one is read that way, and so is the salt of the same element.
import { scramHashLength } from '../auth/scram-credentials.js';
import type { ScramCredential } from '../storage/types.js';
import type { Element } from '../xml/element.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class CredentialImportError extends Error {
  override name = 'CredentialImportError';
}

function decode(text: string, what: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!BASE64.test(clean) || clean.length % 4 !== 0) throw new CredentialImportError(`${what} is not base64`);
  return Buffer.from(clean, 'base64');
}

function child(el: Element, name: string): string {
  const text = el.getChildText(name);
  if (text === null || text.trim() === '') throw new CredentialImportError(`<${name}/> is missing`);
  return text.trim();
}

/** The credential, or a CredentialImportError naming what is wrong; undefined for a mechanism Herald does not keep. */
export function scramCredentialFrom(el: Element): ScramCredential | undefined {
  const mechanism = el.attrs.mechanism as string | undefined;
  if (mechanism !== 'SCRAM-SHA-1' && mechanism !== 'SCRAM-SHA-256') return undefined;
  const iterations = Number(child(el, 'iter-count'));
  if (!Number.isInteger(iterations) || iterations < 1) throw new CredentialImportError(`<iter-count/> must be a positive integer`);
  let storedKey = decode(child(el, 'stored-key'), '<stored-key/>');
  let serverKey = decode(child(el, 'server-key'), '<server-key/>');
  let salt = decode(child(el, 'salt'), '<salt/>');
  const size = scramHashLength(mechanism);
  if (storedKey.length !== size && BASE64.test(storedKey.toString('latin1'))) {
    // Double-encoded (ejabberd): the decoded bytes are themselves base64 text.
    storedKey = decode(storedKey.toString('latin1'), '<stored-key/>');
    serverKey = decode(serverKey.toString('latin1'), '<server-key/>');
    salt = decode(salt.toString('latin1'), '<salt/>');
  }
  if (storedKey.length !== size || serverKey.length !== size) throw new CredentialImportError(`${mechanism} keys must be ${size} bytes`);
  if (salt.length === 0) throw new CredentialImportError('<salt/> is empty');
  return { mechanism, salt, iterations, storedKey, serverKey };
}

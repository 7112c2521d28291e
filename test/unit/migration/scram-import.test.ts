// XEP-0227 <scram-credentials/>: single base64 (Prosody, Herald) and ejabberd's double base64.
import { describe, expect, it } from 'vitest';
import { deriveScramCredential, verifyPassword } from '../../../src/auth/scram-credentials.js';
import { CredentialImportError, scramCredentialFrom } from '../../../src/migration/scram-import.js';
import { xml } from '../../../src/xml/element.js';
import type { ScramCredential } from '../../../src/storage/types.js';

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

function element(c: ScramCredential, encode: (b: Buffer) => string) {
  return xml(
    'scram-credentials',
    { xmlns: 'urn:xmpp:pie:0#scram', mechanism: c.mechanism },
    xml('iter-count', null, String(c.iterations)),
    xml('salt', null, encode(c.salt)),
    xml('server-key', null, encode(c.serverKey)),
    xml('stored-key', null, encode(c.storedKey)),
  );
}

describe('XEP-0227 SCRAM credentials', () => {
  for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
    it(`${mechanism}: base64 once reads back the same keys, which verify the password`, async () => {
      const original = await deriveScramCredential('correct horse', mechanism, 4096);
      const read = scramCredentialFrom(element(original, (b) => b64(b)))!;
      expect(read).toEqual(original);
      expect(await verifyPassword('correct horse', read)).toBe(true);
    });

    it(`${mechanism}: ejabberd's base64-of-base64 is recognised by the key length`, async () => {
      const original = await deriveScramCredential('correct horse', mechanism, 4096);
      const read = scramCredentialFrom(element(original, (b) => b64(b64(b))))!;
      expect(read).toEqual(original);
      expect(await verifyPassword('correct horse', read)).toBe(true);
    });
  }

  it('a mechanism Herald does not keep is passed over, not guessed', () => {
    expect(scramCredentialFrom(xml('scram-credentials', { mechanism: 'SCRAM-SHA-512' }))).toBeUndefined();
  });

  it('keys of the wrong size, bad base64 or a missing field are refused by name', async () => {
    const c = await deriveScramCredential('pw', 'SCRAM-SHA-256', 4096);
    expect(() => scramCredentialFrom(element({ ...c, storedKey: Buffer.alloc(20) }, (b) => b64(b)))).toThrow(/SCRAM-SHA-256 keys must be 32 bytes/);
    const bad = element(c, (b) => b64(b));
    bad.getChild('salt')!.children = ['not base64!'];
    expect(() => scramCredentialFrom(bad)).toThrow(CredentialImportError);
    const missing = xml('scram-credentials', { mechanism: 'SCRAM-SHA-1' }, xml('iter-count', null, '4096'));
    expect(() => scramCredentialFrom(missing)).toThrow(/<stored-key\/> is missing/);
  });
});

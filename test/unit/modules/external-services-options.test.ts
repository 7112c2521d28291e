// modules.external-services.options: a bad value stops start-up naming the file, the key and the
// expectation, and never prints the TURN secret.
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/core/modules/module.js';
import { readExternalServicesOptions } from '../../../src/modules/external-services/options.js';

const ctxWith = (options: Record<string, unknown>): ModuleContext =>
  ({ name: 'external-services', options, config: { sourceFile: '/etc/herald/herald.yaml' } }) as unknown as ModuleContext;
const SECRET = 'a-long-enough-secret';

describe('external-services module options', () => {
  it('nothing configured: no services; TURN is restricted by default, STUN is not', () => {
    expect(readExternalServicesOptions(ctxWith({})).services).toEqual([]);
    const read = readExternalServicesOptions(ctxWith({ secret: SECRET, services: [{ type: 'stun', host: 's.example' }, { type: 'turn', host: 't.example', port: 3478 }] }));
    expect(read.services.map((s) => [s.type, s.restricted])).toEqual([['stun', false], ['turn', true]]);
    expect(read.ttlSeconds).toBe(86_400);
  });

  it('names the file, key and expectation', () => {
    const where = '/etc/herald/herald.yaml: modules.external-services.options.';
    expect(() => readExternalServicesOptions(ctxWith({ services: [{ type: 'relay', host: 'x' }] }))).toThrow(`${where}services[0].type: expected stun, stuns, turn, turns, found "relay"`);
    expect(() => readExternalServicesOptions(ctxWith({ secret: SECRET, services: [{ type: 'turn', host: 'x', port: 70000 }] }))).toThrow(`${where}services[0].port: expected a port number 1-65535`);
    expect(() => readExternalServicesOptions(ctxWith({ services: [{ type: 'turn', host: 'x' }] }))).toThrow(`${where}secret: expected a shared secret, since services[0] is restricted`);
    expect(() => readExternalServicesOptions(ctxWith({ secret: SECRET, services: [{ type: 'stun', host: 'x', prot: 1 }] }))).toThrow(`${where}services[0].prot: expected one of`);
  });

  it('never prints the secret, even a bad one', () => {
    expect(() => readExternalServicesOptions(ctxWith({ secret: 'short-secret' }))).toThrow(/secret: expected a string of at least 16 characters.*found "\(hidden\)"/);
    expect(() => readExternalServicesOptions(ctxWith({ secret: 'short-secret' }))).not.toThrow(/short-secret/);
  });
});

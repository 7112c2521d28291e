// modules.muc.options: defaults, and a bad value stops start-up naming the file, key and expectation.
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/core/modules/module.js';
import { readMucOptions } from '../../../src/modules/muc/options.js';

const ctxWith = (options: Record<string, unknown>): ModuleContext =>
  ({ name: 'muc', options, config: { sourceFile: '/etc/herald/herald.yaml' } }) as unknown as ModuleContext;

describe('muc module options', () => {
  it('defaults when nothing is set', () => {
    expect(readMucOptions(ctxWith({}))).toEqual({ subdomain: 'conference', maxRoomsPerUser: 50, maxOccupantsPerRoom: 1000, maxMessagesPerMinute: 120, maxHistory: 100 });
    expect(readMucOptions(ctxWith({ subdomain: 'rooms', maxRoomsPerUser: 3 }))).toMatchObject({ subdomain: 'rooms', maxRoomsPerUser: 3 });
  });

  it('names the file, the key and what was expected for a bad value or an unknown key', () => {
    expect(() => readMucOptions(ctxWith({ maxOccupantsPerRoom: 0 }))).toThrow('/etc/herald/herald.yaml: modules.muc.options.maxOccupantsPerRoom: expected a positive integer, found 0');
    expect(() => readMucOptions(ctxWith({ subdomain: 'Not A Label' }))).toThrow(/modules\.muc\.options\.subdomain: expected a DNS label/);
    expect(() => readMucOptions(ctxWith({ maxRooms: 3 }))).toThrow(/modules\.muc\.options\.maxRooms: expected one of subdomain, maxRoomsPerUser/);
  });
});

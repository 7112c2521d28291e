// modules.pep.options: defaults, and a bad value stops start-up naming the file, key and expectation.
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/core/modules/module.js';
import { DEFAULT_PEP_LIMITS, readPepLimits } from '../../../src/modules/pep/options.js';
import { createInProcessCore } from '../../harness/in-process-core.js';

const ctxWith = (options: Record<string, unknown>): ModuleContext =>
  ({ options, config: { sourceFile: '/etc/herald/herald.yaml' } }) as unknown as ModuleContext;

describe('pep module options', () => {
  it('defaults when nothing is set, and takes positive integers', () => {
    expect(readPepLimits(ctxWith({}))).toEqual(DEFAULT_PEP_LIMITS);
    const set = { maxItemsPerNode: 3, maxItemBytes: 100, maxNodesPerAccount: 7, maxBytesPerAccount: 1000 };
    expect(readPepLimits(ctxWith(set))).toEqual(set);
  });

  it('names the file, the key and what was expected for a bad value', () => {
    expect(() => readPepLimits(ctxWith({ maxItemBytes: 'lots' }))).toThrow('/etc/herald/herald.yaml: modules.pep.options.maxItemBytes: expected a positive integer, found "lots"');
    expect(() => readPepLimits(ctxWith({ maxNodesPerAccount: 0 }))).toThrow(/maxNodesPerAccount: expected a positive integer, found 0/);
    expect(() => readPepLimits(ctxWith({ maxItems: 5 }))).toThrow(/modules\.pep\.options\.maxItems: expected one of maxItemsPerNode, maxItemBytes, maxNodesPerAccount, maxBytesPerAccount/);
  });

  it('a bad value stops the module from loading', async () => {
    await expect(createInProcessCore({ moduleConfig: { pep: { enabled: true, options: { maxItemsPerNode: -1 } } } })).rejects.toThrow(/modules\.pep\.options\.maxItemsPerNode/);
  });
});

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { createInProcessCore, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let core: InProcessCore;
afterEach(async () => core.close());

async function askVersion(): Promise<ReturnType<typeof xml> | undefined> {
  const alice = await core.connect('alice@example.org/home');
  const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'v1', to: 'example.org' }, xml('query', { xmlns: NS.version })));
  expect(reply?.attrs).toMatchObject({ type: 'result', id: 'v1', from: 'example.org', to: 'alice@example.org/home' });
  return reply?.getChild('query', NS.version);
}

describe('XEP-0092 Software Version', () => {
  it('XEP-0092 §2: the server reports its name and the version from package.json', async () => {
    core = await createInProcessCore();
    const query = await askVersion();
    expect(query?.getChildText('name')).toBe('Herald');
    expect(query?.getChildText('version')).toBe(packageVersion);
  });

  it('XEP-0092 §5: the operating system is not revealed by default', async () => {
    core = await createInProcessCore();
    expect((await askVersion())?.getChild('os')).toBeUndefined();
  });

  it('XEP-0092 §5: the operating system is reported when options.showOs is true', async () => {
    core = await createInProcessCore({ moduleConfig: { version: { enabled: true, options: { showOs: true } } } });
    expect((await askVersion())?.getChildText('os')).toMatch(/\S/);
  });

  it('XEP-0092 §4: the server advertises jabber:iq:version', async () => {
    core = await createInProcessCore();
    expect(await discoFeatures(core, 'example.org')).toContain(NS.version);
  });
});

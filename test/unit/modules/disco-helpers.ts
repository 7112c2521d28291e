// Asks the server (or an account) for its disco#info as a logged-in user would.
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import type { InProcessCore } from '../../harness/in-process-core.js';

let counter = 0;

export async function discoInfo(core: InProcessCore, to: string, asUser = `probe@${to.split('@').pop()}/disco`): Promise<Element | undefined> {
  const session = await core.connect(asUser);
  const replies = await core.send(session, xml('iq', { type: 'get', id: `disco-${++counter}`, to }, xml('query', { xmlns: NS.discoInfo })));
  return replies[0];
}

export async function discoFeatures(core: InProcessCore, to: string): Promise<string[]> {
  const reply = await discoInfo(core, to);
  return (reply?.getChild('query', NS.discoInfo)?.getChildren('feature') ?? []).map((f) => String(f.attrs.var));
}

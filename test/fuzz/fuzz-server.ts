// The real server the protocol fuzz tests talk to, with a bystander: a session logged in before the fuzzing
// starts, which must still be served when it ends (one bad peer must not cost anyone else their service).
import type { Element } from '@xmpp/xml';
import { expect } from 'vitest';
import { login } from '../harness/login.js';
import { ServerProcess, type ServerOptions } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';

export interface FuzzServer {
  server: ServerProcess;
  bystander: XmlClient;
}

export async function startFuzzServer(options: ServerOptions): Promise<FuzzServer> {
  const server = await ServerProcess.start(options);
  await server.addUser('bystander@localhost', 'bystander-secret');
  const bystander = (await login(server.ports.c2s, 'bystander', 'bystander-secret', 'watch')).client;
  return { server, bystander };
}

export async function stopFuzzServer(fuzz: FuzzServer | undefined): Promise<void> {
  fuzz?.bystander.destroy();
  await fuzz?.server.stop();
  fuzz?.server.cleanup();
}

/** The bystander's ping is answered, the process is alive and no connection task failed. */
export async function expectStillServing({ server, bystander }: FuzzServer): Promise<void> {
  bystander.send("<iq type='get' id='still-there' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
  await bystander.next((el) => el.name === 'iq' && el.attrs.id === 'still-there');
  expect(server.child.exitCode).toBeNull();
  expect(server.logs.filter((l) => /task failed/.test(l.msg))).toEqual([]);
}

export const isStreamError = (el: Element): boolean => el.name === 'stream:error';

/** The defined condition of a <stream:error/>. */
export function conditionOf(error: Element): string {
  const condition = error.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-streams' && c.name !== 'text');
  return condition?.name ?? '(none)';
}

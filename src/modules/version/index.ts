// XEP-0092 Software Version of the server.
import { readFileSync } from 'node:fs';
import { release, type } from 'node:os';
import { xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { HeraldModule } from '../../core/modules/module.js';

/** package.json sits three levels up from both src/modules/version/ and dist/modules/version/. */
function readPackageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string' || version === '') throw new Error('package.json has no version');
  return version;
}

export const versionModule: HeraldModule = {
  name: 'version',
  enabledByDefault: true,

  load(ctx) {
    const version = readPackageVersion();
    // The OS tells an attacker which exploits to try (XEP-0092 §5), so it is opt-in.
    const os = ctx.options.showOs === true ? `${type()} ${release()}` : undefined;

    ctx.handleIq({
      target: 'host',
      type: 'get',
      xmlns: NS.version,
      name: 'query',
      handler: () =>
        xml('query', { xmlns: NS.version }, xml('name', null, 'Herald'), xml('version', null, version), os !== undefined && xml('os', null, os)),
    });
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS.version);
    });
  },
};

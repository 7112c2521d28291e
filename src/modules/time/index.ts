// XEP-0202 Entity Time of the server.
import { xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { HeraldModule } from '../../core/modules/module.js';

/** XEP-0082 DateTime in UTC, whole seconds (the milliseconds say nothing useful over the network). */
function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const timeModule: HeraldModule = {
  name: 'time',
  enabledByDefault: true,

  load(ctx) {
    ctx.handleIq({
      target: 'host',
      type: 'get',
      xmlns: NS.time,
      name: 'time',
      // UTC rather than the host's zone: XEP-0202's security considerations note that the
      // offset leaks location, and it tells clients nothing useful. '+00:00' rather than 'Z'
      // because XEP-0202's examples show tzo as ±hh:mm, which every client parses.
      handler: () => xml('time', { xmlns: NS.time }, xml('tzo', null, '+00:00'), xml('utc', null, utcDateTime(ctx.clock.now()))),
    });
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS.time);
    });
  },
};

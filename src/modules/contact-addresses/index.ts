// XEP-0157 Contact Addresses for XMPP Services: where to report abuse, reach the admins, get
// support…, as configured, in the server's disco#info (an XEP-0128 form clients show on their
// server-information screens).
import type { HeraldModule } from '../../core/modules/module.js';
import { resultForm, type FormField } from '../../protocol/data-form.js';

const FORM_TYPE = 'http://jabber.org/network/serverinfo';
/** XEP-0157 §2: the registered fields, by their option name in modules.contact-addresses.options. */
const KINDS = ['abuse', 'admin', 'feedback', 'sales', 'security', 'status', 'support'] as const;
type Kind = (typeof KINDS)[number];

/** A URI with a scheme (xmpp:, mailto:, https:, tel: …), as XEP-0157 §2 asks. */
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

function readAddresses(options: Record<string, unknown>): Map<Kind, string[]> {
  const out = new Map<Kind, string[]>();
  for (const [key, value] of Object.entries(options)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      throw new Error(`modules.contact-addresses.options.${key}: unknown key; expected one of ${KINDS.join(', ')}`);
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((uri): uri is string => typeof uri === 'string' && URI.test(uri))) {
      throw new Error(`modules.contact-addresses.options.${key}: expected a URI or a list of URIs such as 'mailto:abuse@example.org' or 'xmpp:admin@example.org', found ${JSON.stringify(value)}`);
    }
    out.set(key as Kind, list);
  }
  return out;
}

export const contactAddressesModule: HeraldModule = {
  name: 'contact-addresses',
  enabledByDefault: true,

  load(ctx) {
    const addresses = readAddresses(ctx.options);
    if (addresses.size === 0) return; // nothing configured: no empty form
    const fields: FormField[] = KINDS.filter((kind) => addresses.has(kind)).map((kind) => ({ var: `${kind}-addresses`, type: 'list-multi', values: addresses.get(kind)! }));
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.extensions.push(resultForm(FORM_TYPE, fields));
    });
  },
};

// The external-services module's options (`modules.external-services.options`): the STUN/TURN
// servers to announce, and the shared secret for TURN REST credentials (coturn's
// `use-auth-secret` / `static-auth-secret`).
import type { ModuleContext } from '../../core/modules/module.js';
import { positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';

export type ServiceType = 'stun' | 'stuns' | 'turn' | 'turns';
const TYPES: readonly ServiceType[] = ['stun', 'stuns', 'turn', 'turns'];

export interface ExternalService {
  type: ServiceType;
  host: string;
  port: number | undefined;
  transport: 'udp' | 'tcp' | undefined;
  /** Needs credentials (XEP-0215 'restricted'); Herald issues them from the shared secret. */
  restricted: boolean;
  name: string | undefined;
}

export interface ExternalServicesOptions {
  services: ExternalService[];
  secret: string | undefined;
  ttlSeconds: number;
}

/** coturn's and Prosody's usual lifetime of TURN REST credentials: a day. */
const DEFAULT_TTL_SECONDS = 86_400;
const SERVICE_KEYS = ['type', 'host', 'port', 'transport', 'restricted', 'name'];

export function readExternalServicesOptions(ctx: ModuleContext): ExternalServicesOptions {
  const where = (key: string): string => `${ctx.config.sourceFile ?? 'configuration'}: modules.${ctx.name}.options.${key}`;
  const fail = (key: string, expected: string, value: unknown): never => {
    throw new Error(`${where(key)}: expected ${expected}, found ${JSON.stringify(value)}`);
  };
  rejectUnknownOptions(ctx, ['services', 'secret', 'ttlSeconds']);
  const secret = ctx.options.secret;
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 16)) fail('secret', 'a string of at least 16 characters (the TURN server\'s static-auth-secret)', secret === undefined ? secret : '(hidden)');
  const list = ctx.options.services ?? [];
  if (!Array.isArray(list)) fail('services', 'a list of services ({ type, host, port, transport, restricted })', list);
  const services = (list as unknown[]).map((entry, index): ExternalService => {
    const key = `services[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(key, 'a map with type and host', entry);
    const raw = entry as Record<string, unknown>;
    for (const name of Object.keys(raw)) if (!SERVICE_KEYS.includes(name)) fail(`${key}.${name}`, `one of ${SERVICE_KEYS.join(', ')}`, name);
    if (!TYPES.includes(raw.type as ServiceType)) fail(`${key}.type`, TYPES.join(', '), raw.type);
    if (typeof raw.host !== 'string' || raw.host === '') fail(`${key}.host`, 'a host name or address', raw.host);
    if (raw.port !== undefined && (typeof raw.port !== 'number' || !Number.isInteger(raw.port) || raw.port < 1 || raw.port > 65535)) fail(`${key}.port`, 'a port number 1-65535', raw.port);
    if (raw.transport !== undefined && raw.transport !== 'udp' && raw.transport !== 'tcp') fail(`${key}.transport`, "'udp' or 'tcp'", raw.transport);
    if (raw.name !== undefined && typeof raw.name !== 'string') fail(`${key}.name`, 'a string', raw.name);
    const type = raw.type as ServiceType;
    // TURN relays cost bandwidth, so they are restricted unless the admin says otherwise.
    const restricted = raw.restricted ?? type.startsWith('turn');
    if (typeof restricted !== 'boolean') fail(`${key}.restricted`, 'true or false', raw.restricted);
    if (restricted && secret === undefined) fail('secret', `a shared secret, since ${key} is restricted`, undefined);
    return { type, host: raw.host as string, port: raw.port as number | undefined, transport: raw.transport as 'udp' | 'tcp' | undefined, restricted: restricted as boolean, name: raw.name as string | undefined };
  });
  return { services, secret: secret as string | undefined, ttlSeconds: positiveIntegerOption(ctx, 'ttlSeconds', DEFAULT_TTL_SECONDS) };
}

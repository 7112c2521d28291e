// modules.upload.options: limits and where files are published.
import type { ModuleContext } from '../../core/modules/module.js';
import { positiveIntegerOption, rejectUnknownOptions, stringOption } from '../../core/modules/options.js';

export interface UploadOptions {
  /** The component domain is `<subdomain>.<domain>`. */
  subdomain: string;
  maxFileBytes: number;
  /** Bytes an account's unexpired files (and open slots) may take together. */
  quotaBytes: number;
  /** A file is deleted this long after it was uploaded. */
  expireAfterSeconds: number;
  /** A slot's PUT must start within this. */
  putWindowSeconds: number;
  /** How often expired files are looked for and deleted. */
  sweepIntervalSeconds: number;
  /** Base of the PUT/GET URLs (e.g. behind a reverse proxy); default the HTTPS listener at the domain. */
  url: string | undefined;
}

const MiB = 1024 * 1024;

export function readUploadOptions(ctx: ModuleContext): UploadOptions {
  rejectUnknownOptions(ctx, ['subdomain', 'maxFileBytes', 'quotaBytes', 'expireAfterSeconds', 'putWindowSeconds', 'sweepIntervalSeconds', 'url']);
  return {
    subdomain: stringOption(ctx, 'subdomain', /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a DNS label such as upload') ?? 'upload',
    maxFileBytes: positiveIntegerOption(ctx, 'maxFileBytes', 100 * MiB),
    quotaBytes: positiveIntegerOption(ctx, 'quotaBytes', 1024 * MiB),
    expireAfterSeconds: positiveIntegerOption(ctx, 'expireAfterSeconds', 30 * 86400),
    putWindowSeconds: positiveIntegerOption(ctx, 'putWindowSeconds', 300),
    sweepIntervalSeconds: positiveIntegerOption(ctx, 'sweepIntervalSeconds', 3600),
    url: stringOption(ctx, 'url', /^https:\/\/[^/\s]+(\/\S*)?$/, 'an https:// URL such as https://chat.example.org/files')?.replace(/\/$/, ''),
  };
}

// cluster.postgresUrl / HERALD_POSTGRES_URL: what Herald accepts as a PostgreSQL connection URL.
// Only the form is checked here; whether the server can be used is found out at start-up.
import { maskedUrl } from '../util/masked-url.js';

const SCHEMES = ['postgres:', 'postgresql:'];

/** Why `value` is not a usable PostgreSQL URL (the URL shown with its password masked), or undefined. */
export function postgresUrlProblem(value: unknown): string | undefined {
  const expected = 'a URL like postgres://user:password@host:5432/database';
  if (typeof value !== 'string' || value.trim() === '') return `expected ${expected}, found ${typeof value === 'string' ? 'an empty string' : 'no text'}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected ${expected}, found ${maskedUrl(value)} (not a URL)`;
  }
  if (!SCHEMES.includes(url.protocol)) return `expected ${expected}, found ${maskedUrl(value)} (the scheme must be postgres: or postgresql:)`;
  // A socket folder may be given as ?host=/run/postgresql instead of a host name.
  if (url.hostname === '' && !url.searchParams.has('host')) return `expected ${expected}, found ${maskedUrl(value)} (no host)`;
  return undefined;
}

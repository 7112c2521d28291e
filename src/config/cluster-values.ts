// Checks for the `cluster:` values (node id, Redis URL), shared by the file and environment layers.
import { Invalid } from './values.js';

/** Node ids appear in Redis keys and log lines: short, and nothing that needs quoting. */
export function nodeIdValue(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new Invalid('a node id of 1-64 letters, digits, ".", "_" or "-"');
  }
  return value;
}

export function redisUrlValue(value: unknown): string {
  const expected = 'a Redis URL such as redis://127.0.0.1:6379/0 (redis:// or rediss://)';
  if (typeof value !== 'string') throw new Invalid(expected);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Invalid(expected);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') throw new Invalid(expected);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new Invalid(`${expected}; the path is a database number`);
  return value;
}

/** The URL for logs and errors: a password never leaves the process. */
export function maskRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

// A connection URL as it may appear in a log line or an error: the password replaced, so that an
// operator can see which server and account were meant without the secret reaching the logs.

/** `postgres://herald:secret@db/herald` → `postgres://herald:***@db/herald`; unparseable input keeps only its scheme. */
export function maskedUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    // A password may also ride in the query (libpq's ?password=).
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    // Not a URL at all: the part after the scheme may hold anything, the password included.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(raw)?.[0];
    return scheme === undefined ? '(unparseable URL)' : `${scheme}(unparseable URL)`;
  }
}

// The one rule a new password must meet. Applied when a password is set (CLI, in-band
// registration, in-band change), never at login, so existing accounts keep working.

/** What is wrong with a new password, or undefined when it is acceptable. Lengths count characters, not bytes. */
export function passwordProblem(password: string, minLength: number): string | undefined {
  const length = [...password].length;
  if (length < minLength) return `the password must be at least ${minLength} characters long (auth.minPasswordLength); this one has ${length}`;
  return undefined;
}

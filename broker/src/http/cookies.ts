/** The console's session cookie (HttpOnly, SameSite=Strict); the one name every reader uses. */
export const SESSION_COOKIE = 'tp_session';

/**
 * The value of cookie `name` in a Cookie header, or undefined. Never throws: a
 * value that is not valid percent-encoding (`%`, `%E0%A4%A`, `%ZZ`) reads as
 * absent, because the header comes from anyone before they have logged in.
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join(';') : header;
  if (typeof text !== 'string') return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

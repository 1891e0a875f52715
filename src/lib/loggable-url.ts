/** Names of the parameters that carry single-use secrets (the links in account mails, the setup link). */
const SECRET_NAME = /^(?:code|token)$/i;
/**
 * Secrets are 43 base64url characters (newToken). Any run of 32 or more is taken for one, wherever it
 * stands and however the parameter around it is spelt; ids (UUIDs) stay, the log needs them.
 */
const LONG_RUN = /[A-Za-z0-9_-]{32,}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const decoded = (s: string) => {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    return s;
  }
};

/** A request URL as the log may show it: secret-carrying parameters' values and secret-like runs replaced. */
export function loggableUrl(url: string): string {
  // Every parameter after ?, & or ; (a path parameter), its name read decoded and in any case, as a
  // lenient server or a later change of router might: `CODE=`, `code%3D` and `;code=` all count.
  const named = url.replace(/([?&;])([^?&;#]*)/g, (whole, separator: string, pair: string) => {
    const plain = decoded(pair);
    const eq = plain.indexOf('=');
    return eq > 0 && SECRET_NAME.test(plain.slice(0, eq).trim()) ? `${separator}${plain.slice(0, eq)}=redacted` : whole;
  });
  return named.replace(LONG_RUN, (run) => (UUID.test(run) ? run : 'redacted'));
}

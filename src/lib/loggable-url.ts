/** Query parameters that carry single-use secrets (the links in account mails, the setup link). */
const SECRET_PARAMS = ['code', 'token'];

/** A request URL as the log may show it: the value of any secret-carrying parameter replaced. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const secrets = SECRET_PARAMS.filter((name) => params.has(name));
  if (secrets.length === 0) return url;
  for (const name of secrets) params.set(name, 'redacted');
  return `${url.slice(0, q)}?${params}`;
}

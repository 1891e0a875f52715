import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The CSRF token of a link page's form: an HMAC of the page and the link's secret under a key only
 * the servers hold. Stateless, so any instance accepts a form another rendered, with no cookie (which
 * plain http could not mark Secure) and no store; only a page rendered from the live link carries it.
 */
export function createFormGuard(serverSecret: string) {
  // A key of its own, so a form token can never stand in for anything else the secret signs.
  const key = createHmac('sha256', serverSecret).update('account pages: form tokens').digest();
  const tokenFor = (page: string, linkSecret: string) => createHmac('sha256', key).update(`${page}\n${linkSecret}`).digest('base64url');
  return {
    tokenFor,
    accepts(page: string, linkSecret: string, given: string | undefined): boolean {
      const expected = Buffer.from(tokenFor(page, linkSecret));
      const actual = Buffer.from(given ?? '');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type FormGuard = ReturnType<typeof createFormGuard>;

/**
 * Whether a form post came from another site. Fetch metadata when the browser sends it (only our own
 * origin, or the person's own action, is accepted); else the Origin against our hosts (the one asked
 * for, and PUBLIC_URL's when a proxy in front rewrites Host). `Origin: null` decides nothing: browsers
 * send it for a same-origin post from a no-referrer page.
 */
export function isCrossSite(headers: IncomingHttpHeaders, hosts: readonly string[]): boolean {
  const site = headers['sec-fetch-site'];
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return !hosts.includes(new URL(origin).host);
  } catch {
    return true;
  }
}

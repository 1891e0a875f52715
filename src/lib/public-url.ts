import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';

/**
 * Where people reach the register, for links in emails and logs: PUBLIC_URL, else the address this
 * process listens on (a wildcard as loopback), else (not listening: CLI, tests) loopback on PORT.
 */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>, address: AddressInfo | string | null = null): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '');
  if (!address || typeof address === 'string') return `http://127.0.0.1:${config.PORT}`;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

type AccountPage = 'claim' | 'verify' | 'reset';

/** An account page with no secret, e.g. `/account/reset`, where a reset link is asked for. */
export const accountPage = (base: string, page: AccountPage) => `${base}/account/${page}`;

/**
 * A page link carrying a single-use secret, e.g. `/account/reset?code=…`. The query parameter is
 * `code`, never `token` or the like, which scanners take for a credential in a URL.
 */
export const accountLink = (base: string, page: AccountPage, secret: string) => `${accountPage(base, page)}?code=${encodeURIComponent(secret)}`;

import type { Body, Role } from '../domain/vocabulary.ts';

/** What this server signs into an access token (see plugins/access.ts for how it is checked). */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  body: Body | null;
  /** The account's session version when signed: a later role, body, password or disabling change, or sign-out everywhere, voids the token. */
  ver: number;
  /** The account had a second factor when the token was issued, so its sign-in passed one (plugins/second-factor-gate.ts). */
  mfa?: boolean;
}

/** What an access token is checked against: it stands only while its `ver` is the account's version. */
export interface SessionState {
  version: number;
  disabled: boolean;
}

/** The one question the access hook asks about a session; the auth module's session versions answer it. */
export interface SessionCheck {
  /** The account's current state (null when it no longer exists). */
  current(userId: string): Promise<SessionState | null>;
}

export type Role = 'mediator' | 'assessor' | 'admin' | 'registrar';
export type Body = 'com' | 'cmc';

/**
 * Who is acting: a signed-in user, someone not signed in (register, login, claim), or the system
 * itself (the compliance job, CLI commands).
 */
export type Actor =
  | { type: 'user'; id: string; role: Role; body: Body | null }
  | { type: 'anonymous' | 'system'; id?: undefined; role?: undefined; body?: undefined };

/** Passed from routes into services: the actor and the request id every audit event carries. */
export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  /** The client's address as TRUST_PROXY lets it be known (absent outside HTTP). */
  ip?: string;
}

export const systemContext = (requestId: string | null = null): RequestContext => ({
  actor: { type: 'system' },
  requestId,
});

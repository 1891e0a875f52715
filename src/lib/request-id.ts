import { randomUUID } from 'node:crypto';

// What a proxy or caller's id may look like: enough for UUIDs, ULIDs and trace ids, nothing that could
// break a log line or smuggle markup into the audit trail.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is acceptable, so one id follows a request across services; else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTABLE.test(header) ? header : randomUUID();
}

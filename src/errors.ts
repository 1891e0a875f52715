/** One field-level problem in a request, as listed in a problem+json `errors` array. */
export interface FieldError {
  in: 'body' | 'query' | 'params' | 'headers' | 'file';
  field: string;
  message: string;
}

/**
 * Every failure the API reports, by its stable `code`; the body's `type` is `/problems/<code>`.
 * Clients branch on the code: the `detail` wording may change, a code never does (docs/api.md lists
 * them, and the OpenAPI's Problem schema enumerates them).
 */
export const PROBLEMS = {
  'validation-failed': { status: 400, when: 'A path parameter, query or body field is missing or invalid; `errors` names each.' },
  'malformed-request': { status: 400, when: 'The request cannot be read: malformed JSON, a badly encoded URL.' },
  'unstorable-characters': { status: 400, when: 'The text holds characters no field can store (such as NUL).' },
  'invalid-cursor': { status: 400, when: 'The `cursor` (the change feed’s `since`) is not one this list returned.' },
  'invalid-claim-code': { status: 400, when: 'The claim code is unknown, used or expired.' },
  'invalid-verification-link': { status: 400, when: 'The registration link is unknown, used or expired.' },
  'registration-password-mismatch': { status: 400, when: 'Verifying a registration with a password other than the one chosen at registration.' },
  'invalid-reset-link': { status: 400, when: 'The password reset link is unknown, used, expired or revoked.' },
  'weak-password': { status: 400, when: 'The new password is too easy to guess; `errors` says why.' },
  'unreadable-import-file': { status: 400, when: 'The import file cannot be read: CSV syntax, an unknown or repeated column.' },
  unauthorized: { status: 401, when: 'The access token (or the metrics token) is missing, invalid or expired.' },
  'session-ended': { status: 401, when: 'The token’s session has ended: the account changed, or signed out everywhere.' },
  'invalid-credentials': { status: 401, when: 'Sign-in with an unknown email or a wrong password.' },
  'second-factor-needed': { status: 401, when: 'Sign-in needs the second factor (`otp`), or the one given is wrong.' },
  'invalid-refresh-token': { status: 401, when: 'The refresh token is unknown, spent or expired.' },
  forbidden: { status: 403, when: 'The caller’s role does not allow this.' },
  'other-body': { status: 403, when: 'The record belongs to the other body than the admin’s.' },
  'own-record': { status: 403, when: 'Acting on one’s own entry, application or second factor, which another person must do.' },
  'account-disabled': { status: 403, when: 'The account is disabled.' },
  'second-factor-setup-required': { status: 403, when: 'Staff must set up a second factor before using this.' },
  'password-incorrect': { status: 403, when: 'Setting up a second factor with a wrong current password.' },
  'not-a-mediator': { status: 403, when: 'Applying without a mediator profile.' },
  'not-found': { status: 404, when: 'No such resource, or none the caller may see; or no such route.' },
  'method-not-allowed': { status: 405, when: 'The route does not take this method.' },
  'not-acceptable': { status: 406, when: 'No representation matches the Accept header.' },
  'own-account-change': { status: 409, when: 'A registrar changing their own role, or disabling or erasing their own account.' },
  'account-exists': { status: 409, when: 'An account with this email already exists.' },
  'already-on-register': { status: 409, when: 'The mediator is already on the register.' },
  'open-application-exists': { status: 409, when: 'The mediator already has an open application.' },
  'wrong-application-state': { status: 409, when: 'The application’s status does not allow this action now.' },
  'erasure-not-allowed': { status: 409, when: 'Erasing a person whose register entry is current or still within its retention period, or whose application awaits a decision.' },
  'already-claimed': { status: 409, when: 'Re-issuing a claim code for an account already claimed.' },
  'second-factor-exists': { status: 409, when: 'A second factor is already set up.' },
  'second-factor-not-started': { status: 409, when: 'Confirming a second factor whose enrolment was not started.' },
  'second-factor-setup-cancelled': { status: 409, when: 'Too many wrong codes: the enrolment is cancelled; start again.' },
  'period-closed': { status: 409, when: 'The compliance period is closed: its entries and outcome can no longer change.' },
  'period-already-exempt': { status: 409, when: 'Exempting a period that is already exempt.' },
  'compliance-run-backwards': { status: 409, when: 'The compliance job has already run for a later date.' },
  'stale-settings-version': { status: 409, when: 'The settings changed since the version the change was based on.' },
  'concurrent-change': { status: 409, when: 'Another change got there first; reload and try again.' },
  duplicate: { status: 409, when: 'The request conflicts with an existing record.' },
  gone: { status: 410, when: 'A register entry removed longer ago than the register keeps removed entries in public view; nothing more is said about it.' },
  'setup-link-gone': { status: 410, when: 'The setup link has been used or has expired.' },
  'setup-complete': { status: 410, when: 'The register already has a registrar.' },
  'content-too-large': { status: 413, when: 'The request body is larger than the endpoint accepts.' },
  'uri-too-long': { status: 414, when: 'A path parameter is longer than the API accepts.' },
  'unsupported-media-type': { status: 415, when: 'The body is not JSON (or CSV where the endpoint takes it).' },
  'register-constraint': { status: 422, when: 'The request does not fit the register’s current state (a reference or rule the database enforces).' },
  'transition-not-allowed': { status: 422, when: 'A register entry cannot move between these statuses.' },
  'application-incomplete': { status: 422, when: 'Submitting an application whose criteria checks fail; `errors` names each.' },
  'verdicts-not-met': { status: 422, when: 'Approving an application without a “met” verdict on every required criterion.' },
  'second-factor-code-wrong': { status: 422, when: 'The enrolment code does not match the authenticator’s.' },
  'not-accredited': { status: 422, when: 'Logging CPD or practice without being accredited.' },
  'entry-date-not-allowed': { status: 422, when: 'A log entry dated in the future, before the obligations start, or when not accredited.' },
  'practice-outcome-mismatch': { status: 422, when: 'A SEND mediation without its outcome, or another kind with one.' },
  'no-compliance-period': { status: 422, when: 'The mediator has no compliance period in that register year.' },
  'extension-too-short': { status: 422, when: 'An extension that does not run past the end of the period.' },
  'as-of-in-future': { status: 422, when: 'Running the compliance job as of a future date.' },
  'rule-set-start-invalid': { status: 422, when: 'A rule set starting today or earlier, or not on the first day of a register year.' },
  'grandfathering-start-passed': { status: 422, when: 'Moving the grandfathering start to a date already passed.' },
  'import-refused': { status: 422, when: 'An import with row errors: nothing was written; the body carries the report.' },
  'beyond-log': { status: 422, when: 'A tree size or leaf index the audit log has not reached (or has no signed checkpoint for yet).' },
  'rate-limited': { status: 429, when: 'Too many requests to this endpoint; wait `Retry-After` seconds.' },
  'too-many-attempts': { status: 429, when: 'Too many failed sign-in or password attempts; wait `Retry-After` seconds.' },
  'request-error': { status: 400, when: 'Another client error the HTTP layer raised, with its own status.' },
  'internal-error': { status: 500, when: 'A fault on the server’s side; it is logged, and the body holds no detail.' },
  unavailable: { status: 503, when: 'The database (or the sign-in counters) is briefly out of reach; retry after `Retry-After` seconds.' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

/** The HTTP reason phrases, as `title`: the same for every problem of a status. */
export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface ProblemOptions {
  /** The fields at fault. */
  errors?: FieldError[];
  /** More members of the body (the import's report). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The catalogue's status, except for `request-error`, which carries the HTTP layer's own. */
  status?: number;
}

/** A failure meant for the client, rendered once as application/problem+json (RFC 9457). */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    { errors, extra = {}, headers = {}, status = PROBLEMS[code].status }: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = STATUS_TITLES[status] ?? 'Request Error';
    this.errors = errors;
    this.extra = extra;
    this.headers = headers;
  }

  get type(): string {
    return `/problems/${this.code}`;
  }
}

/** The usual way to fail: a catalogue code, what went wrong in words, and the fields at fault. */
export const problem = (code: ProblemCode, detail: string, errors?: FieldError[]) => new HttpProblem(code, detail, { errors });

export const unauthorized = (detail = 'Sign in to continue: the access token is missing, invalid or expired.') => problem('unauthorized', detail);
export const forbidden = (detail = 'Your role does not allow this.') => problem('forbidden', detail);
export const notFound = (what = 'The resource') => problem('not-found', `${what} was not found.`);
export const serviceUnavailable = (detail = 'The database is unavailable; try again shortly.') => problem('unavailable', detail);
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new HttpProblem('too-many-attempts', `Too many attempts; try again in ${retryAfterSeconds} seconds.`, { headers: { 'retry-after': String(retryAfterSeconds) } });

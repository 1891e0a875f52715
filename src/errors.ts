/** One field-level problem in a request, as listed in a problem+json `errors` array. */
export interface FieldError {
  in: 'body' | 'query' | 'params' | 'headers' | 'file';
  field: string;
  message: string;
}

/** A failure meant for the client, rendered once as application/problem+json (RFC 9457). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; [key: string]: unknown } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'Bad Request', detail, errors ? { errors } : {});
export const unauthorized = (detail = 'Sign in to continue: the access token is missing, invalid or expired.') =>
  new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail = 'Your role does not allow this.') => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (what = 'The resource') => new HttpProblem(404, 'Not Found', `${what} was not found.`);
export const conflict = (detail: string) => new HttpProblem(409, 'Conflict', detail);
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(422, 'Unprocessable Content', detail, errors ? { errors } : {});
export const serviceUnavailable = (detail = 'The database is unavailable; try again shortly.') =>
  new HttpProblem(503, 'Service Unavailable', detail);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpProblem(429, 'Too Many Requests', `Too many attempts; try again in ${retryAfterSeconds} seconds.`, {}, {
    'retry-after': String(retryAfterSeconds),
  });

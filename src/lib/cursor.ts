import { badRequest } from '../errors.ts';

/** Opaque keyset cursors: base64url JSON of the sort key of the last item returned. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  if (cursor === undefined) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number' || k === null)) return key;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('The cursor is not valid; start again without it.', [
    { in: 'query', field: 'cursor', message: 'not a cursor returned by this list' },
  ]);
}

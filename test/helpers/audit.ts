import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { queryRows, sql, type Db } from '../../src/db/client.ts';
import type { LogKey } from '../../src/lib/audit-signing-key.ts';
import { formatSignerKey } from '../../src/lib/transparency/signed-note.ts';
import { revealPersonalValues } from '../../src/modules/audit/audit-leaf.ts';
import { JWT_SECRET } from './app.ts';

/**
 * Stored audit events as the registrar's list shows them: personal values (kept beside each event,
 * committed to in its leaf) put back in `before` and `after`.
 */
export async function revealed<E extends { seq: number; before: unknown; after: unknown }>(db: Db, events: E[]): Promise<E[]> {
  if (events.length === 0) return events;
  const rows = await queryRows<{ commitment: string; value: string }>(db, sql`SELECT commitment, value FROM audit_personal_values WHERE seq = ANY(${sql.param(events.map((e) => e.seq))}::bigint[])`);
  const kept = new Map(rows.map((r) => [r.commitment, r.value]));
  return events.map((e) => ({ ...e, before: revealPersonalValues(e.before, kept), after: revealPersonalValues(e.after, kept) }));
}

const run = promisify(execFile);

/** `npm run cli -- audit-verify …` against a PostgreSQL test database (a child process can open it), signing with `key`. */
export async function cliVerify(url: string, key: LogKey, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit-verify', ...args], {
      env: { ...process.env, DATABASE_URL: url, JWT_SECRET, AUDIT_SIGNING_KEY: formatSignerKey(key.origin, key.signer.privateKey) },
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, out: e.stderr };
  }
}

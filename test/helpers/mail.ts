import { and, desc, eq } from 'drizzle-orm';
import { normaliseEmail } from '../../schemas/auth.ts';
import { openDatabase, type Db } from '../../src/db/client.ts';
import { notifications, pendingRegistrations } from '../../src/db/schema.ts';

/**
 * The secret in the link of the newest `template` mail to `recipient` (`code` from its query), read
 * from the outbox row as the person would read it from the message. The outbox scrubs links once a
 * mail is sent, so this works while the sender is not running (app.inject tests).
 */
export async function mailedSecret(db: Db, recipient: string, template: string): Promise<string> {
  const [mail] = await db
    .select({ data: notifications.data })
    .from(notifications)
    .where(and(eq(notifications.recipient, normaliseEmail(recipient)), eq(notifications.template, template)))
    .orderBy(desc(notifications.createdAt))
    .limit(1);
  if (!mail) throw new Error(`no ${template} mail for ${recipient}`);
  return secretIn(mail.data);
}

/** The secret (`code`) in the `link` of a mail's data. */
export function secretIn(data: unknown): string {
  const link = (data as { link?: string } | null)?.link;
  if (!link) throw new Error(`the mail has no link (sent and scrubbed?): ${JSON.stringify(data)}`);
  const url = new URL(link);
  const secret = url.searchParams.get('code');
  if (!secret) throw new Error(`the link has no secret: ${link}`);
  return secret;
}

/** How many `template` mails went to `recipient`. */
export async function mailCount(db: Db, recipient: string, template: string): Promise<number> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.recipient, normaliseEmail(recipient)), eq(notifications.template, template)));
  return rows.length;
}

/** The addresses with a registration awaiting verification in a PGlite directory no server holds any more. */
export async function pendingRegistrationsIn(dataDir: string): Promise<Set<string>> {
  const database = await openDatabase({ kind: 'pglite', dataDir });
  try {
    return new Set((await database.db.select({ email: pendingRegistrations.email }).from(pendingRegistrations)).map((r) => r.email));
  } finally {
    await database.close();
  }
}

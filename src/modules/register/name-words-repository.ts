import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { pgCode } from '../../db/pg-errors.ts';

/**
 * Makes register_name_words exact again (words nobody holds any more, such as an erased name;
 * duplicates; counts), in a short transaction of its own. While a long write (an import) holds the
 * table it gives up after a few seconds rather than hold every other writer back: answers false,
 * and the next daily run catches up.
 */
export async function recountNameWords(db: Db): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL lock_timeout = '5s'`);
      await tx.execute(sql`SELECT register_recount_words()`);
    });
    return true;
  } catch (err) {
    if (pgCode(err) === '55P03') return false;
    throw err;
  }
}

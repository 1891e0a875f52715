import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { users } from '../../db/schema.ts';

export async function hasRegistrar(q: Queryable): Promise<boolean> {
  return (await q.select({ id: users.id }).from(users).where(eq(users.role, 'registrar')).limit(1)).length > 0;
}

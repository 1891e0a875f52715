import { sql } from 'drizzle-orm';
import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import pg from 'pg';

type Session = {
  client: pg.Pool | pg.PoolClient;
  dialect: ConstructorParameters<typeof NodePgTransaction>[0];
  schema: ConstructorParameters<typeof NodePgTransaction>[2];
  options: ConstructorParameters<typeof NodePgSession>[3];
};

const original = NodePgSession.prototype.transaction;

/**
 * drizzle-orm 0.45 sends a pool transaction's BEGIN before its try/finally, so a connection lost at
 * that moment (a failover, a terminated backend) is never given back: the pool shrinks by one for
 * good, and a few such moments exhaust it. And a ROLLBACK that fails on a dead connection replaces
 * the error that caused it. This is the same transaction with both mended: BEGIN inside, the
 * client always released (destroyed when ROLLBACK failed: its connection is gone), the first error
 * kept. Savepoints (nested transactions) are drizzle's own.
 *
 * (Open upstream: drizzle-orm issues 6023 and 6114.)
 */
export function mendPoolTransactions(): void {
  if (NodePgSession.prototype.transaction !== original) return;
  NodePgSession.prototype.transaction = async function <T>(this: NodePgSession<never, never>, transaction: Parameters<typeof original<T>>[0], config?: Parameters<typeof original>[1]): Promise<T> {
    const self = this as unknown as Session;
    // Isolation and access modes are not used here; such a transaction stays drizzle's own.
    if (!(self.client instanceof pg.Pool) || config) return original.call(this, transaction, config) as Promise<T>;
    const client = await self.client.connect();
    const session = new NodePgSession(client, self.dialect, self.schema, self.options);
    const tx = new NodePgTransaction(self.dialect, session as never, self.schema);
    let broken = false;
    try {
      await tx.execute(sql`begin`);
      const result = await transaction(tx as never);
      await tx.execute(sql`commit`);
      return result;
    } catch (err) {
      await tx.execute(sql`rollback`).catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  };
}

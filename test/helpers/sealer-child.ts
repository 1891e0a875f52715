// A second process sealing the audit log of DATABASE_URL in small batches: the sealer test
// SIGKILLs it in the middle of its pass.
import { openDatabase } from '../../src/db/client.ts';
import { logKey } from '../../src/lib/audit-signing-key.ts';
import { createSealer } from '../../src/modules/audit/sealer.ts';

const database = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL!, poolMax: 1 });
const sealer = createSealer({ db: database.db, key: logKey(process.env.AUDIT_SIGNING_KEY!), batchSize: 100, onError: (err) => console.error(err) });
console.log(JSON.stringify(await sealer.seal({ checkpoint: 'now' })));
await database.close();

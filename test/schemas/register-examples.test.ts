import t from 'tap';
import { LookupRequestSchema, LookupResponseSchema, PublicEntrySchema, StatusOnDateSchema } from '../../schemas/register.ts';
import { explainStatus } from '../../src/domain/public-status.ts';

// The OpenAPI shows these examples: each must be a valid instance, with the explanation the API gives.
t.test('the register schemas’ examples are what the API answers', async (t) => {
  for (const schema of [PublicEntrySchema, StatusOnDateSchema, LookupRequestSchema, LookupResponseSchema]) {
    const { id, examples } = schema.meta() as { id: string; examples: unknown[] };
    t.ok(examples.length > 0, `${id} has examples`);
    for (const example of examples) t.ok(schema.safeParse(example).success, `${id}: ${JSON.stringify(example).slice(0, 60)}…`);
  }
  for (const example of PublicEntrySchema.meta()!.examples as Array<{ status: 'accredited' | 'lapsed'; statusSince: string; statusExplained: string }>) {
    t.equal(example.statusExplained, explainStatus(example.status, example.statusSince));
  }
});

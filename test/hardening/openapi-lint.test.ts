import spectralCore from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import t from 'tap';
// @ts-expect-error the ruleset is plain JavaScript so that the Spectral CLI can read it too
import ruleset from '../../.spectral.mjs';
import { buildTestApp } from '../helpers/app.ts';

// Spectral's packages are CommonJS: their named exports come through the default import.
const { Spectral, Document } = spectralCore;
const { Json } = spectralParsers;
const ERROR = 0;

t.test('openapi.json passes Spectral with the OWASP ruleset (no errors)', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
  const spectral = new Spectral();
  spectral.setRuleset(ruleset);
  const lint = async (d: unknown) =>
    (await spectral.run(new Document(JSON.stringify(d, null, 2), Json))).filter((r) => r.severity === ERROR).map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
  t.same(await lint(doc), [], 'no error-severity results');

  // The narrowed rules still bite: an unbounded request string is an error.
  const unbounded = structuredClone(doc);
  unbounded.paths['/v1/lint-probe'] = {
    post: {
      security: [{ bearerAuth: [] }],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { note: { type: 'string' } } } } } },
      responses: { 204: { description: 'done' } },
    },
  };
  const found = await lint(unbounded);
  t.ok(
    found.some((e) => e.startsWith('owasp:api4:2023-string-limit at paths./v1/lint-probe.post.requestBody')),
    'an unbounded request string fails the lint',
  );
});

import t from 'tap';
import { PublicRuleSetSchema } from '../../../schemas/rule-sets.ts';
import { publishedRuleSets } from '../../../src/modules/rule-sets/published-rules.ts';
import { capInWords, requirementInWords, ruleSetSummary, termsInWords } from '../../../src/modules/rule-sets/rules-in-words.ts';
import type { RuleSet } from '../../../src/domain/rule-set.ts';

const DEFAULT: RuleSet = {
  id: 'default',
  effectiveFrom: '2018-04-01',
  yearStartMonth: 4,
  yearStartDay: 1,
  requirements: [
    { metric: 'cpd_hours', minimum: 10, body: null },
    { metric: 'send_cpd_hours', minimum: 5, body: null },
    { metric: 'practice_hours', minimum: 15, body: null },
    { metric: 'send_mediations', minimum: 2, body: null },
    { metric: 'supervision_hours', minimum: 4, body: 'com' },
  ],
  categoryCaps: {},
  graceDays: 60,
  reminderOffsets: [60, 30, 7],
  graceReminderDays: 14,
  proRateFirstPeriod: true,
};

t.test('each requirement in one sentence', async (t) => {
  t.equal(requirementInWords({ metric: 'cpd_hours', minimum: 10, body: null }), 'At least 10 hours of training each year.');
  t.equal(requirementInWords({ metric: 'cpd_hours', minimum: 1, body: null }), 'At least 1 hour of training each year.', 'one hour, singular');
  t.equal(requirementInWords({ metric: 'practice_hours', minimum: 7.5, body: null }), 'At least 7.5 hours of mediation practice each year.');
  t.equal(requirementInWords({ metric: 'send_mediations', minimum: 1, body: null }), 'At least 1 SEND mediation (leading or co-mediating) each year.');
  t.equal(requirementInWords({ metric: 'send_cpd_hours', minimum: 5, body: null }), 'At least 5 hours of training about special educational needs and disabilities (SEND) each year.');
  t.equal(
    requirementInWords({ metric: 'supervision_hours', minimum: 4, body: 'com' }),
    'Members of the College of Mediators: at least 4 hours of supervision by a more experienced mediator each year.',
  );
  t.equal(capInWords('self_study', 3), 'At most 3 hours of self-study count towards the training hours.');
  t.equal(capInWords('conference', 1), 'At most 1 hour of conferences counts towards the training hours.');
});

t.test('the whole set for a parent: SEND training as part of the training hours, body rules after', async (t) => {
  t.equal(
    ruleSetSummary(DEFAULT),
    'Each year, every mediator must do at least 10 hours of training, of which at least 5 hours about special educational needs and disabilities (SEND), at least 15 hours of mediation practice and at least 2 SEND mediations (leading or co-mediating). Members of the College of Mediators must also do at least 4 hours of supervision by a more experienced mediator.',
  );
  t.equal(
    ruleSetSummary({ requirements: [{ metric: 'send_cpd_hours', minimum: 6, body: null }] }),
    'Each year, every mediator must do at least 6 hours of training about special educational needs and disabilities (SEND).',
    'SEND hours alone read on their own',
  );
  t.equal(
    ruleSetSummary({ requirements: [{ metric: 'supervision_hours', minimum: 2, body: 'cmc' }] }),
    'Members of the Civil Mediation Council must do at least 2 hours of supervision by a more experienced mediator.',
    'only a body rule: no "also"',
  );
});

t.test('the year, the first year and catching up', async (t) => {
  t.same(termsInWords(DEFAULT), [
    'The register year runs from 1 April to 31 March.',
    'A mediator who joins the register part of the way through a year needs less in that first year: the amounts are reduced in proportion to the whole months left.',
    'A mediator who has not done enough by the end of the year has 60 days to catch up. If they still have not, their accreditation lapses.',
  ]);
  t.same(termsInWords({ yearStartMonth: 1, yearStartDay: 1, graceDays: 0, proRateFirstPeriod: false }), [
    'The register year runs from 1 January to 31 December.',
    'A mediator who has not done enough by the end of the year loses their accreditation (it lapses).',
  ]);
  t.equal(
    termsInWords({ yearStartMonth: 3, yearStartDay: 1, graceDays: 1, proRateFirstPeriod: false })[0],
    'The register year runs from 1 March to 28 February.',
    'a year starting in March ends on the last day of February',
  );
});

t.test('versions: superseded, in force, scheduled, with the register years each governs', async (t) => {
  const next: RuleSet = { ...DEFAULT, id: 'next', effectiveFrom: '2026-04-01', categoryCaps: { self_study: 3 } };
  const later: RuleSet = { ...DEFAULT, id: 'later', effectiveFrom: '2027-01-01', yearStartMonth: 1, yearStartDay: 1 };
  const published = publishedRuleSets([later, DEFAULT, next], '2026-06-02');
  t.same(
    published.map((s) => [s.effectiveFrom, s.standing, s.inForce, s.firstRegisterYear.label, s.lastRegisterYear?.label ?? null]),
    [
      ['2018-04-01', 'superseded', false, '2018/19', '2025/26'],
      ['2026-04-01', 'in_force', true, '2026/27', '2026/27'],
      ['2027-01-01', 'scheduled', false, '2027', null],
    ],
    'oldest first; a January year is labelled by its one calendar year',
  );
  t.same(published[1]!.categoryCaps, [{ category: 'self_study', maximumHours: 3, inWords: 'At most 3 hours of self-study count towards the training hours.' }]);
  t.match(published[1]!.requirements[3], { metric: 'send_mediations', unit: 'mediations', minimum: 2 });
  t.notOk('reminderOffsets' in published[0]! || 'id' in published[0]!, 'how the register reminds, and internal ids, are not published');
  t.same(
    publishedRuleSets([DEFAULT, next], '2026-03-31').map((s) => s.standing),
    ['in_force', 'scheduled'],
    'the day before a version starts',
  );
  t.same(
    publishedRuleSets([DEFAULT, next], '2026-04-01').map((s) => s.standing),
    ['superseded', 'in_force'],
    'the day it starts',
  );
});

t.test("the schema's example is a valid answer, in the words the functions give", async (t) => {
  const [example] = PublicRuleSetSchema.meta()!.examples as Array<Record<string, unknown>>;
  t.ok(PublicRuleSetSchema.safeParse(example).success);
  const published = publishedRuleSets([DEFAULT], '2026-06-02')[0]!;
  t.equal(example!.summary, published.summary);
  for (const r of example!.requirements as Array<{ metric: string }>)
    t.same(
      published.requirements.find((p) => p.metric === r.metric),
      r,
      r.metric,
    );
  t.equal((example!.terms as string[])[0], published.terms[0]);
});

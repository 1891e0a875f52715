import t from 'tap';
import { checkCriteria, unmetCriteria, type Evidence } from '../../src/domain/application-criteria.ts';

const thresholds = { foundationHours: 40, sendTrainingHours: 12, supportedCases: 3, insuranceCoverGbp: 1_000_000 };
const approved = () => true;
const today = '2025-06-01';
const complete: Evidence = {
  membership: { body: 'com', membershipNumber: 'COM123' },
  foundation_training: { provider: 'Mediation Academy', completedOn: '2024-10-01', hours: 40, assessedByRolePlay: true, assessedByWrittenAssignment: true },
  send_training: { providerId: 'p1', completedOn: '2025-01-15', hours: 12 },
  supported_practice: {
    cases: [1, 2, 3].map((i) => ({ date: `2025-0${i}-10`, role: 'co_mediated' as const, hours: 3, supervisor: 'A Supervisor' })),
  },
  insurance: { insurer: 'Insure Co', coverGbp: 1_000_000, expiresOn: '2026-01-01' },
  supervision: { supervisorName: 'A Supervisor' },
  declaration: { agreesToCodeOfConduct: true, agreesToComplaintsProcedure: true, fitAndProper: true },
};

t.same(checkCriteria(complete, thresholds, approved, today), [], 'complete evidence at exactly the thresholds passes');

t.test('each failing criterion is listed', async (t) => {
  const fields = (e: Evidence, ap = approved) => checkCriteria(e, thresholds, ap, today).map((p) => `${p.criterion}.${p.field}`);
  t.same(
    fields({}),
    [
      'membership.membership',
      'foundation_training.foundation_training',
      'send_training.send_training',
      'supported_practice.supported_practice',
      'insurance.insurance',
      'supervision.supervision',
      'declaration.declaration',
    ],
    'every missing required criterion, dbs optional',
  );
  t.same(fields({ ...complete, foundation_training: { ...complete.foundation_training!, hours: 39.75 } }), ['foundation_training.hours'], '39.75 h is short');
  t.same(fields({ ...complete, send_training: { ...complete.send_training!, hours: 11.75 } }), ['send_training.hours']);
  t.same(
    fields(complete, () => false),
    ['send_training.providerId'],
    'provider not approved on the date',
  );
  t.same(fields({ ...complete, supported_practice: { cases: complete.supported_practice!.cases.slice(0, 2) } }), ['supported_practice.cases']);
  t.same(fields({ ...complete, insurance: { ...complete.insurance!, expiresOn: today } }), ['insurance.expiresOn'], 'expiring on the day of submission is not enough');
  t.same(fields({ ...complete, insurance: { ...complete.insurance!, coverGbp: 999_999 } }), ['insurance.coverGbp']);
  t.same(fields({ ...complete, declaration: { ...complete.declaration!, fitAndProper: false } }), ['declaration.declaration']);
  t.same(fields({ ...complete, foundation_training: { ...complete.foundation_training!, assessedByRolePlay: false } }), ['foundation_training.assessment']);
  t.same(fields({ ...complete, dbs: { certificateDate: '2025-06-02' } }), ['dbs.certificateDate'], 'optional, but checked when given');
});

t.test('thresholds come from configuration', async (t) => {
  const stricter = { ...thresholds, foundationHours: 60 };
  t.same(
    checkCriteria(complete, stricter, approved, today).map((p) => p.field),
    ['hours'],
  );
});

t.test('approval needs met on every required criterion', async (t) => {
  const allMet = { membership: 'met', foundation_training: 'met', send_training: 'met', supported_practice: 'met', insurance: 'met', supervision: 'met', declaration: 'met' } as const;
  t.same(unmetCriteria(allMet), []);
  t.same(unmetCriteria({ ...allMet, insurance: 'not_met' }), ['insurance']);
  t.same(unmetCriteria({ membership: 'met' }).length, 6);
});

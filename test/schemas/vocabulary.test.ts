import t from 'tap';
import { z } from 'zod';
import { ApplicationStatusSchema } from '../../schemas/applications.ts';
import { BodySchema, EntryStatusSchema, RegisterYearSchema, RoleSchema, RouteSchema } from '../../schemas/common.ts';
import { AssessmentSchema, RunSchema } from '../../schemas/compliance-admin.ts';
import { ComplianceOutcomeSchema, DeficitSchema } from '../../schemas/compliance.ts';
import { CpdEntrySchema } from '../../schemas/cpd.ts';
import { ProfileSchema } from '../../schemas/mediators.ts';
import { applicationStatusEnum, bodyEnum, complianceOutcomeEnum, mediatorStatusEnum, roleEnum, routeEnum } from '../../src/db/schema.ts';
import { APPLICATION_STATUSES, BODIES, COMPLIANCE_OUTCOMES, ENTRY_STATUSES, ROLES, ROUTES } from '../../src/domain/vocabulary.ts';

t.test('the database enums and the API enums are the vocabulary, in its order', async (t) => {
  const pairs = [
    [BODIES, bodyEnum.enumValues, BodySchema.options],
    [ROLES, roleEnum.enumValues, RoleSchema.options],
    [ENTRY_STATUSES, mediatorStatusEnum.enumValues, EntryStatusSchema.options],
    [ROUTES, routeEnum.enumValues, RouteSchema.options],
    [APPLICATION_STATUSES, applicationStatusEnum.enumValues, ApplicationStatusSchema.options],
    [COMPLIANCE_OUTCOMES, complianceOutcomeEnum.enumValues, ComplianceOutcomeSchema.options],
  ] as const;
  for (const [tuple, database, api] of pairs) {
    t.same(database, tuple);
    t.same(api, tuple);
  }
});

t.test('a deficit names a metric', async (t) => {
  t.ok(DeficitSchema.safeParse({ metric: 'cpd_hours', required: 10, achieved: 6, shortfall: 4 }).success);
  t.notOk(DeficitSchema.safeParse({ metric: 'cpd', required: 10, achieved: 6, shortfall: 4 }).success);
});

t.test('one register year parameter, 2000 to 2100, from a query string', async (t) => {
  t.equal(RegisterYearSchema.parse('2025'), 2025);
  t.equal(RegisterYearSchema.parse('2000'), 2000);
  t.equal(RegisterYearSchema.parse('2100'), 2100);
  t.notOk(RegisterYearSchema.safeParse('1999').success);
  t.notOk(RegisterYearSchema.safeParse('2101').success);
  t.notOk(RegisterYearSchema.safeParse('2025.5').success);
});

t.test('rows derived from the tables answer dates as the API always has', async (t) => {
  const instant = '2026-04-01T02:00:00.000Z';
  const entry = {
    id: '6f1c2a52-8f7e-4a53-9d59-0c6a4a4e2b11',
    date: '2025-05-01',
    hours: 2.5,
    category: 'course',
    sendSpecific: true,
    title: 'SEND law update',
    provider: null,
    reflection: null,
    evidenceRef: null,
    createdAt: instant,
    updatedAt: instant,
  };
  t.same(z.encode(CpdEntrySchema, entry as z.output<typeof CpdEntrySchema>), entry, 'a YYYY-MM-DD date and ISO instants, as given');
  t.throws(() => z.encode(CpdEntrySchema, { ...entry, createdAt: new Date(instant) } as never), 'a Date is not an instant: services format them');
  t.throws(() => z.encode(CpdEntrySchema, { ...entry, date: '2025-02-30' } as never), 'a date that does not exist');
  t.same(Object.keys(RunSchema.shape), ['id', 'asOf', 'startedAt', 'finishedAt', 'counts', 'remindersSent', 'error']);
  t.same(
    Object.keys(AssessmentSchema.shape),
    ['id', 'mediatorId', 'fullName', 'body', 'periodStart', 'periodEnd', 'ruleSetId', 'outcome', 'deficits', 'graceEndsOn', 'assessedAt', 'closedAt'],
    'the row with whose it is, fields in the order they always came',
  );
  t.notOk('userId' in ProfileSchema.shape, 'picked from the row: what is not named stays out');
});

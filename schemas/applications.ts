import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { trainingProviders } from '../src/db/schema.ts';
import { CRITERIA, SUPPORTED_CASE_ROLES, type Criterion, type Evidence } from '../src/domain/application-criteria.ts';
import { APPLICATION_STATUSES, DECISIONS, RECOMMENDATIONS, VERDICTS } from '../src/domain/vocabulary.ts';
import { BodySchema, DateSchema, documentBody, IdSchema, PageQuerySchema, text } from './common.ts';

const hours = z.number().min(0.25).max(1000).multipleOf(0.25, 'must be in quarter hours');

/** Evidence for each criterion of the 2024 standards: shapes are checked here, thresholds at submission. */
export const EvidenceSchemas = {
  membership: z.strictObject({ body: BodySchema, membershipNumber: text(40) }),
  foundation_training: z.strictObject({
    provider: text(200),
    completedOn: DateSchema,
    hours,
    assessedByRolePlay: z.boolean(),
    assessedByWrittenAssignment: z.boolean(),
  }),
  send_training: z.strictObject({ providerId: IdSchema.describe('An approved SEND training provider'), completedOn: DateSchema, hours }),
  supported_practice: z.strictObject({
    cases: z
      .array(
        z.strictObject({
          date: DateSchema,
          role: z.enum(SUPPORTED_CASE_ROLES),
          hours: z.number().min(0.25).max(24).multipleOf(0.25, 'must be in quarter hours'),
          supervisor: text(200),
        }),
      )
      .max(50),
  }),
  insurance: z.strictObject({ insurer: text(200), coverGbp: z.number().int().min(0).max(1_000_000_000), expiresOn: DateSchema }),
  supervision: z.strictObject({ supervisorName: text(200), supervisorContact: text(200).optional() }),
  declaration: z.strictObject({ agreesToCodeOfConduct: z.boolean(), agreesToComplaintsProcedure: z.boolean(), fitAndProper: z.boolean() }),
  dbs: z.strictObject({ certificateDate: DateSchema }),
} as const satisfies Record<Criterion, z.ZodType>;

export const EvidenceSchema = z.object({
  membership: EvidenceSchemas.membership.optional(),
  foundation_training: EvidenceSchemas.foundation_training.optional(),
  send_training: EvidenceSchemas.send_training.optional(),
  supported_practice: EvidenceSchemas.supported_practice.optional(),
  insurance: EvidenceSchemas.insurance.optional(),
  supervision: EvidenceSchemas.supervision.optional(),
  declaration: EvidenceSchemas.declaration.optional(),
  dbs: EvidenceSchemas.dbs.optional(),
});
// The domain's Evidence type and this schema describe one shape: tsc fails here if they drift apart.
type Parsed = z.infer<typeof EvidenceSchema>;
true satisfies [Parsed] extends [Evidence] ? ([Evidence] extends [Parsed] ? true : false) : false;

export const CriterionSchema = z.enum(CRITERIA);
export const CriterionParamsSchema = z.strictObject({ id: IdSchema, criterion: CriterionSchema });
/** Checked against the schema of the criterion named in the path (EvidenceSchemas), field by field. */
export const EvidenceBodySchema = documentBody(
  z
    .record(z.string().max(64), z.unknown())
    .describe(
      'Evidence for the criterion in the path: membership {body, membershipNumber}; foundation_training {provider, completedOn, hours, assessedByRolePlay, assessedByWrittenAssignment}; send_training {providerId, completedOn, hours}; supported_practice {cases: [{date, role, hours, supervisor}]}; insurance {insurer, coverGbp, expiresOn}; supervision {supervisorName, supervisorContact?}; declaration {agreesToCodeOfConduct, agreesToComplaintsProcedure, fitAndProper}; dbs {certificateDate}',
    ),
  {
    'application/json': z
      .union(Object.entries(EvidenceSchemas).map(([criterion, schema]) => schema.meta({ title: criterion })))
      .describe('The evidence for the criterion in the path: the shape titled with its name'),
  },
);

export const ApplicationStatusSchema = z.enum(APPLICATION_STATUSES);
/** What the review queue holds: an application from its submission on. A draft is its applicant's alone. */
export const ReviewStatusSchema = ApplicationStatusSchema.exclude(['draft']);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;
const Verdict = z.enum(VERDICTS);
const staffOnly = 'The assessment panel’s working, for the admin who decides: absent when the applicant reads their own application';

export const ApplicationSchema = z
  .object({
    id: z.uuid(),
    mediatorId: z.uuid(),
    applicantName: z.string(),
    status: ApplicationStatusSchema,
    body: BodySchema.nullable(),
    standardsVersion: z.string(),
    evidence: EvidenceSchema,
    verdicts: z.partialRecord(CriterionSchema, Verdict).optional().describe(staffOnly),
    recommendation: z.string().nullable().optional().describe(staffOnly),
    assessmentNotes: z.string().nullable().optional().describe(staffOnly),
    decisionReasons: z.string().nullable().describe('Why it was rejected or returned (for a returned application: what to fix); shown to the applicant'),
    submittedAt: z.string().nullable(),
    assessedAt: z.string().nullable(),
    decidedAt: z.string().nullable(),
    settingsVersion: z.number().int().nullable().describe('The register settings version (thresholds) the submission was checked against'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    id: 'Application',
    description:
      'An application as the caller may read it. Staff (assessors, admins of its body, registrars) see all of it. Its applicant sees the evidence, the status and the decision with its reasons, never the assessment panel’s working (`verdicts`, `recommendation`, `assessmentNotes` are absent), before or after the decision.',
  });

export const AssessmentBodySchema = z.strictObject({
  verdicts: z.partialRecord(CriterionSchema, Verdict).refine((v) => Object.keys(v).length > 0, 'give a verdict on at least one criterion'),
  recommendation: z.enum(RECOMMENDATIONS).optional(),
  notes: text(5000).optional(),
});

export const DecisionBodySchema = z
  .strictObject({ outcome: z.enum(DECISIONS), reasons: text(5000).optional() })
  .refine((d) => d.outcome === 'approved' || d.reasons, { message: 'reasons are required to reject or return an application', path: ['reasons'] });

export const ReviewQuerySchema = z.strictObject({
  status: ReviewStatusSchema.optional().describe('One status an application can have once submitted (drafts are never listed); without it, all of them'),
  body: BodySchema.optional(),
  ...PageQuerySchema.shape,
});

export const TrainingProviderSchema = createSelectSchema(trainingProviders, { approvedFrom: () => DateSchema, approvedUntil: () => DateSchema })
  .pick({ id: true, name: true, approvedFrom: true, approvedUntil: true })
  .meta({ id: 'TrainingProvider' });
export const TrainingProviderBodySchema = z
  .strictObject({ name: text(200), approvedFrom: DateSchema, approvedUntil: DateSchema.nullable().optional() })
  .refine((p) => !p.approvedUntil || p.approvedUntil >= p.approvedFrom, { message: 'must be on or after approvedFrom', path: ['approvedUntil'] });

/**
 * The register's vocabulary, each concept spelled out once (docs/domain.md). The database enums
 * (src/db/tables), the API's zod enums (schemas/) and the TypeScript types are all built from these
 * tuples. The order is the database enums' order: reordering a tuple would change the database.
 */

/** The two bodies: College of Mediators, Civil Mediation Council. */
export const BODIES = ['com', 'cmc'] as const;
export type Body = (typeof BODIES)[number];

/** Who acts: a signed-in user, someone not signed in, or the system itself (jobs, the command line). */
export const ACTOR_TYPES = ['user', 'anonymous', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const ROLES = ['mediator', 'assessor', 'admin', 'registrar'] as const;
export type Role = (typeof ROLES)[number];
/** Every role but mediator; in the order the command line lists them. */
export const STAFF_ROLES = ['admin', 'registrar', 'assessor'] as const satisfies readonly Role[];

/** A register entry's status (null on a mediator not yet on the register). */
export const ENTRY_STATUSES = ['accredited', 'suspended', 'lapsed', 'removed'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** What a public change did to an entry (register_changes.kind); `gone`: it left public view (a removal past its years). */
export const REGISTER_CHANGE_KINDS = ['added', 'updated', 'status_changed', 'gone'] as const;
export type RegisterChangeKind = (typeof REGISTER_CHANGE_KINDS)[number];

/** How an entry came onto the register: an application against the 2024 standards, or the 2018 import. */
export const ROUTES = ['standards_2024', 'grandfathered_2018'] as const;
export type Route = (typeof ROUTES)[number];

export const APPLICATION_STATUSES = ['draft', 'submitted', 'under_assessment', 'assessed', 'approved', 'rejected', 'returned', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
/** Statuses of an application still in progress: a mediator has at most one, and may withdraw it. */
export const OPEN_APPLICATION_STATUSES = ['draft', 'submitted', 'under_assessment', 'assessed', 'returned'] as const satisfies readonly ApplicationStatus[];
/** What an admin's decision on an assessed application can make it. */
export const DECISIONS = ['approved', 'rejected', 'returned'] as const satisfies readonly ApplicationStatus[];
export type Decision = (typeof DECISIONS)[number];
/** An assessor's finding on one criterion of an application. */
export const VERDICTS = ['met', 'not_met'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** What the assessor recommends the admin decides. */
export const RECOMMENDATIONS = ['approve', 'reject', 'return'] as const;

/** A compliance assessment's outcome for one register year. */
export const COMPLIANCE_OUTCOMES = ['in_grace', 'compliant', 'non_compliant', 'exempt'] as const;
export type ComplianceOutcome = (typeof COMPLIANCE_OUTCOMES)[number];
/** An admin's decision about one period: no requirements at all, or a later end of grace. */
export const ADJUSTMENT_KINDS = ['exemption', 'extension'] as const;
export type AdjustmentKind = (typeof ADJUSTMENT_KINDS)[number];

/** The annual requirements (docs/domain.md "CPD and practice logs, rule sets, your compliance"). */
export const CPD_CATEGORIES = ['course', 'conference', 'peer_learning', 'self_study', 'delivering_training', 'other'] as const;
export type CpdCategory = (typeof CPD_CATEGORIES)[number];
export const PRACTICE_KINDS = ['send_mediation', 'send_co_mediation', 'other_mediation', 'supervision_received'] as const;
export type PracticeKind = (typeof PRACTICE_KINDS)[number];
export const SEND_OUTCOMES = ['agreement', 'partial', 'no_agreement', 'withdrawn'] as const;
export const METRICS = ['cpd_hours', 'send_cpd_hours', 'practice_hours', 'send_mediations', 'supervision_hours'] as const;
export type Metric = (typeof METRICS)[number];

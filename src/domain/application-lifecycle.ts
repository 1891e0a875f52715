import { OPEN_APPLICATION_STATUSES, type ApplicationStatus } from './vocabulary.ts';

/** Where each action may start from (docs/domain.md "Applications (the 2024 standards)"). */
export const ACTION_FROM = {
  editEvidence: ['draft', 'returned'],
  submit: ['draft', 'returned'],
  withdraw: OPEN_APPLICATION_STATUSES,
  assess: ['submitted', 'under_assessment'],
  decide: ['assessed'],
} as const satisfies Record<string, readonly ApplicationStatus[]>;

export type ApplicationAction = keyof typeof ACTION_FROM;

export const canApply = (action: ApplicationAction, status: ApplicationStatus) => (ACTION_FROM[action] as readonly string[]).includes(status);

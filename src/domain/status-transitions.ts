import type { Body, EntryStatus, Role } from './vocabulary.ts';

/** The only moves between register statuses (docs/domain.md "Applications (the 2024 standards)", status changes). */
const ALLOWED: Record<EntryStatus, readonly EntryStatus[]> = {
  accredited: ['suspended', 'lapsed', 'removed'],
  suspended: ['accredited', 'removed'],
  lapsed: ['accredited', 'removed'],
  removed: [],
};

/** Is this a move the register allows at all, whoever makes it? `from` null: not yet on the register. */
export const isAllowedMove = (from: EntryStatus | null, to: EntryStatus) => (from === null ? to === 'accredited' : ALLOWED[from].includes(to));

export type TransitionCheck = { ok: true } | { ok: false; reason: 'not_allowed' | 'forbidden_role' | 'other_body' | 'same_status' };

/**
 * May this actor move an entry from one status to another? Admins act only on their own body's
 * entries, registrars on both; mediators never change a status (their own or anyone's). `from`
 * null is a mediator not yet on the register: the only move is onto it, accredited.
 */
export function checkStatusTransition(from: EntryStatus | null, to: EntryStatus, actor: { role: Role | 'system'; body: Body | null }, entryBody: Body | null): TransitionCheck {
  if (actor.role !== 'admin' && actor.role !== 'registrar' && actor.role !== 'system') return { ok: false, reason: 'forbidden_role' };
  if (actor.role === 'admin' && actor.body !== entryBody) return { ok: false, reason: 'other_body' };
  if (from === to) return { ok: false, reason: 'same_status' };
  return isAllowedMove(from, to) ? { ok: true } : { ok: false, reason: 'not_allowed' };
}

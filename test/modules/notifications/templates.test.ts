import t from 'tap';
import type { OutgoingMessage } from '../../../src/modules/notifications/outbox.ts';
import { renderTemplate } from '../../../src/modules/notifications/templates.ts';

// Checked by the type checker (npm run typecheck): each template takes its own data, and no other.
// Exported only so that nothing reports it unused.
export const typed: OutgoingMessage[] = [
  { recipient: 'a@example.org', template: 'welcome', data: { fullName: 'Sam Example' } },
  { recipient: 'a@example.org', template: 'status_changed', data: { fullName: 'Sam Example', from: 'accredited', status: 'lapsed', reason: 'No CPD' } },
  // @ts-expect-error a status that is not an entry status
  { recipient: 'a@example.org', template: 'status_changed', data: { fullName: 'Sam Example', from: 'accredited', status: 'gone', reason: 'No CPD' } },
  // @ts-expect-error the reset mail needs its link
  { recipient: 'a@example.org', template: 'password_reset', data: { fullName: 'Sam Example', resetPage: 'http://127.0.0.1:3000/account/reset' } },
  // @ts-expect-error another template's data
  { recipient: 'a@example.org', template: 'compliance_met', data: { fullName: 'Sam Example', link: 'http://127.0.0.1:3000/account/claim?code=x' } },
  // @ts-expect-error no such template
  { recipient: 'a@example.org', template: 'goodbye', data: { fullName: 'Sam Example' } },
];

t.test('a stored message renders with its template', async (t) => {
  const deficits = [{ metric: 'cpd_hours', required: 10, achieved: 6, shortfall: 4 }];
  const { subject, text } = renderTemplate('compliance_reminder', { fullName: 'Sam Example', periodEnd: '2026-03-31', daysLeft: 30, deficits });
  t.equal(subject, 'CPD and practice: 30 days left in your register year');
  t.match(text, /^Hello Sam Example,\n/);
  t.match(text, /\n- cpd hours: 6 of 10 \(4 more\)\n/, 'one line per unmet requirement');
});

t.test('an unknown template is an error, not an empty mail', async (t) => {
  t.throws(() => renderTemplate('goodbye', {}), /Unknown notification template: goodbye/);
});

import type { TestApp } from './app.ts';

/**
 * A draft application whose evidence meets the 2024 standards on 2025-06-02 (the default test
 * clock's day), with `foundationHours` of foundation training; `submit` sends it.
 */
export async function completeDraft(ta: TestApp, providerId: string, opts: { foundationHours?: number; body?: 'com' | 'cmc' } = {}) {
  const m = await ta.mediator();
  const id = (await ta.request({ method: 'POST', url: '/v1/applications', token: m.token })).json().id as string;
  const body = opts.body ?? 'com';
  const evidence = {
    membership: { body, membershipNumber: `${body.toUpperCase()}-${m.mediatorId.slice(0, 8)}` },
    foundation_training: { provider: 'Mediation Academy', completedOn: '2024-10-01', hours: opts.foundationHours ?? 40, assessedByRolePlay: true, assessedByWrittenAssignment: true },
    send_training: { providerId, completedOn: '2025-01-15', hours: 12 },
    supported_practice: { cases: [1, 2, 3].map((i) => ({ date: `2025-0${i}-10`, role: 'co_mediated', hours: 3, supervisor: 'Pat Supervisor' })) },
    insurance: { insurer: 'Insure Co', coverGbp: 1_000_000, expiresOn: '2026-05-31' },
    supervision: { supervisorName: 'Pat Supervisor' },
    declaration: { agreesToCodeOfConduct: true, agreesToComplaintsProcedure: true, fitAndProper: true },
  };
  for (const [criterion, payload] of Object.entries(evidence)) {
    const res = await ta.request({ method: 'PUT', url: `/v1/applications/${id}/criteria/${criterion}`, token: m.token, payload });
    if (res.statusCode !== 200) throw new Error(`${criterion}: ${res.body}`);
  }
  return { mediator: m, id, submit: () => ta.request({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token }) };
}

/** An approved SEND training provider for 2024-2025, added by `registrarToken`. */
export async function approvedProvider(ta: TestApp, registrarToken: string): Promise<string> {
  const res = await ta.request({
    method: 'POST',
    url: '/v1/admin/training-providers',
    token: registrarToken,
    payload: { name: 'SEND Training Ltd', approvedFrom: '2024-01-01', approvedUntil: '2025-12-31' },
  });
  if (res.statusCode !== 201) throw new Error(`provider: ${res.body}`);
  return res.json().id as string;
}

/** The people an application passes through: a registrar, an assessor, a CoM admin, and an approved provider. */
export async function reviewPanel(ta: TestApp) {
  const registrar = await ta.staff('registrar');
  const assessor = await ta.staff('assessor');
  const comAdmin = await ta.staff('admin', 'com');
  return { registrar, assessor, comAdmin, providerId: await approvedProvider(ta, registrar.token) };
}

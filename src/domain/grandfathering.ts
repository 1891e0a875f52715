/**
 * Grandfathered members answer for CPD and practice going forward only: from the later of the
 * grandfathering compliance start and the day they were imported. A start mid-year makes a partial
 * first period, pro-rated as for a newly approved mediator (periods.ts, requirements.ts).
 */
export const grandfatheredObligationsStart = (complianceStart: string, importedOn: string): string => (importedOn > complianceStart ? importedOn : complianceStart);

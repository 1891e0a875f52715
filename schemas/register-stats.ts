import { z } from 'zod';
import { COMPLIANCE_OUTCOMES } from '../src/domain/vocabulary.ts';
import { BodySchema, DateSchema, RegionSchema } from './common.ts';

const CountSchema = z
  .union([z.int().min(0), z.literal('<5')])
  .meta({ id: 'SuppressedCount', description: 'A count; 1 to 4 are published as "<5" so that no small group points at anyone (0 is shown as 0)' });

const TOTAL = 'The sum of the cells, or null when a cell is "<5": the total and the other cells would give it back';

export const RegisterStatsSchema = z
  .object({
    asOf: DateSchema.describe('Today in London'),
    accredited: z.object({
      total: z.int().nullable().describe(`Accredited mediators. ${TOTAL} (by body)`),
      byBody: z.array(z.object({ body: BodySchema, count: CountSchema })),
      byRegion: z.array(z.object({ region: RegionSchema, count: CountSchema })).describe('Every region; a mediator covering several counts in each, so these add up to no total'),
      byLanguage: z
        .array(z.object({ language: z.string().describe('BCP 47 tag'), count: CountSchema }))
        .describe('Languages offered by at least one accredited mediator (several each, so no total): shown counts largest first, then the "<5" ones by tag'),
    }),
    complianceOutcomes: z
      .array(
        z.object({
          registerYear: z.int().describe('The calendar year the register year starts in'),
          label: z.string().describe('e.g. "2025/26"'),
          total: z.int().nullable().describe(`Mediators assessed for that year. ${TOTAL}`),
          outcomes: z.object(Object.fromEntries(COMPLIANCE_OUTCOMES.map((o) => [o, CountSchema])) as Record<(typeof COMPLIANCE_OUTCOMES)[number], typeof CountSchema>),
        }),
      )
      .describe('Assessments of the annual requirements per register year, newest first: compliant, in_grace (catching up after the year ended), non_compliant (accreditation lapsed), exempt'),
  })
  .meta({
    id: 'RegisterStats',
    examples: [
      {
        asOf: '2026-06-02',
        accredited: {
          total: null,
          byBody: [
            { body: 'com', count: 212 },
            { body: 'cmc', count: '<5' },
          ],
          byRegion: [
            { region: 'north_east', count: 11 },
            { region: 'london', count: 58 },
            { region: 'national', count: 0 },
          ],
          byLanguage: [
            { language: 'en', count: 214 },
            { language: 'cy', count: 7 },
            { language: 'bfi', count: '<5' },
          ],
        },
        complianceOutcomes: [{ registerYear: 2025, label: '2025/26', total: 203, outcomes: { compliant: 181, in_grace: 12, non_compliant: 6, exempt: 0 } }],
      },
    ],
  });

import { z } from 'zod';
import { BodySchema, LanguageTagSchema, RegionSchema } from '../../../schemas/common.ts';
import { RegisterSearchQuerySchema } from '../../../schemas/register.ts';
import { BODY_LABELS, REGION_LABELS, languageLabel } from './labels.ts';
import { PagingSchema } from './search-paging.ts';

// The page accepts anything as text and explains problems next to the field, instead of a 400; the
// fields are the API's own schemas, with messages written for the public.
const FormSchema = z.object({
  q: RegisterSearchQuerySchema.shape.q,
  region: RegionSchema.optional(),
  language: LanguageTagSchema.optional(),
  body: BodySchema.optional(),
  // A ticked box: the mediators no longer accredited too, each labelled.
  status: z.literal('any').optional(),
});
export const MESSAGES: Record<string, string> = {
  q: 'Enter 100 characters or fewer',
  region: 'Choose an area from the list',
  language: 'Choose a language from the list',
  body: 'Choose an organisation from the list',
  status: 'Tick the box or leave it empty',
  cursor: 'That page link has expired: start the search again',
};
// Only an edited link puts a NUL in the box; the length message would mislead there.
const Q_CHARACTERS = 'Enter letters, numbers and punctuation only';
export type SearchForm = z.infer<typeof FormSchema>;
export const FIELDS = ['q', 'region', 'language', 'body', 'status'] as const;
const PAGING_FIELDS = ['cursor', 'back', 'page'] as const;
export const PageQuerySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/**
 * The submitted form as typed (to fill the fields again), the valid query and page if any, and
 * errors per field; a paging link that was edited is explained against the search box.
 */
export function readSearchForm(query: Record<string, string | string[]>) {
  const first = (k: string) => {
    const v = query[k];
    return (Array.isArray(v) ? v[0] : v) ?? '';
  };
  const form = { q: first('q'), region: first('region'), language: first('language'), body: first('body'), status: first('status') };
  const filledOf = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, first(k).trim()]).filter(([, v]) => v !== ''));
  const filled = filledOf(FIELDS);
  const parsed = FormSchema.safeParse(filled);
  const paging = PagingSchema.safeParse(filledOf(PAGING_FIELDS));
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = String(issue.path[0]);
    fieldErrors[field] ??= field === 'q' && issue.code === 'custom' ? Q_CHARACTERS : (MESSAGES[field] ?? issue.message);
  }
  if (!paging.success) fieldErrors.cursor = MESSAGES.cursor!;
  const errors = FIELDS.filter((f) => fieldErrors[f]).map((f) => ({ field: f, message: fieldErrors[f]! }));
  if (fieldErrors.cursor) errors.push({ field: 'q', message: fieldErrors.cursor });
  const searched = Object.keys(filled).length > 0 || (paging.success && paging.data.cursor !== undefined);
  return {
    form,
    search: parsed.success && paging.success && searched ? parsed.data : null,
    paging: paging.success ? paging.data : null,
    fieldErrors,
    errors,
  };
}

/** The search in words, for the heading and the page title ("“zoe” in London"). */
export function describeSearch(form: SearchForm, similar = false): string {
  const parts: string[] = [];
  if (form.q) parts.push(similar ? `with names like “${form.q}”` : `“${form.q}”`);
  if (form.region) parts.push(`in ${REGION_LABELS[form.region] ?? form.region}`);
  if (form.language) parts.push(`speaking ${languageLabel(form.language)}`);
  if (form.body) parts.push(`accredited by the ${BODY_LABELS[form.body]}`);
  if (form.status) parts.push('including those no longer accredited');
  return parts.join(' ');
}

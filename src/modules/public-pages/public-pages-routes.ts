import { publicRateLimit } from '../../config.ts';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HttpProblem, notFound } from '../../errors.ts';
import { DateSchema } from '../../../schemas/common.ts';
import type { Module } from '../module.ts';
import type { PublicEntry } from '../register/register-service.ts';
import { ENTRY_STATUSES } from '../../domain/vocabulary.ts';
import { views as eta } from './page-views.ts';
import { pagingLinks } from './search-paging.ts';
import { FIELDS, MESSAGES, PageQuerySchema, describeSearch, readSearchForm } from './search-form.ts';
import { BODY_LABELS, REGION_LABELS, SEARCH_LANGUAGES, STATUS_LABELS, areasLabel, dateLabel, languageLabel, notAccreditedLabel, resultCountLabel, statusOnDateLabel } from './labels.ts';

const PAGE_SIZE = 20;

function toView(m: PublicEntry) {
  return {
    ...m,
    bodyLabel: BODY_LABELS[m.body] ?? m.body,
    regionLabels: areasLabel(m.regions),
    languageLabels: m.languages.map(languageLabel).join(', ') || 'Not stated',
    cpdYear: m.cpdUpToDateFor ?? null,
    contactPhoneHref: m.contactPhone?.replace(/[^+\d]/g, ''),
    firstAccreditedOnLabel: m.firstAccreditedOn ? dateLabel(m.firstAccreditedOn) : null,
    notAccreditedLabel: notAccreditedLabel(m.status, m.statusSince),
  };
}

/** A stale or edited paging link: say so on the page rather than answering with JSON. */
function expiredCursor(err: unknown): null {
  if (err instanceof HttpProblem && err.status === 400) return null;
  throw err;
}

const AS_OF_MESSAGES = {
  invalid: 'Enter a real date as year, month and day, for example 2026-03-12',
  future: 'Enter today’s date or a date in the past',
};

/** The "check status on a date" field: as typed, the date if it is one, or what is wrong with it. */
function readAsOf(query: Record<string, string | string[]>): { typed: string; date: string | null; error: string | null } {
  const raw = query.asOf;
  const typed = ((Array.isArray(raw) ? raw[0] : raw) ?? '').trim();
  if (typed === '') return { typed, date: null, error: null };
  return DateSchema.safeParse(typed).success ? { typed, date: typed, error: null } : { typed, date: null, error: AS_OF_MESSAGES.invalid };
}

/** A date after today: the service's 400, said next to the field instead. */
function futureDate(err: unknown): null {
  if (err instanceof HttpProblem && err.code === 'validation-failed') return null;
  throw err;
}

/** The public register's HTML pages, reading it through the same service as the JSON API. */
export const publicPagesModule: Module<'register'> = async (app, { config, register }) => {
  // Read when the module is registered, not on import: importing a module has no side effects.
  const stylesheet = await readFile(new URL('./assets/site.css', import.meta.url));
  const stylesheetEtag = `"${createHash('sha256').update(stylesheet).digest('base64url').slice(0, 16)}"`;
  const rateLimit = publicRateLimit(config);
  const page = (title: string, body: string) => eta.render('./layout', { title, body });

  app.get('/', {
    config: { access: 'public', rateLimit },
    schema: { tags: ['pages'], summary: 'The public search page (HTML)', querystring: PageQuerySchema },
    handler: async (req, reply) => {
      const { form, search, paging, fieldErrors, errors } = readSearchForm(req.query);
      const description = search ? describeSearch(search) : '';
      let results = null;
      const found = search && paging && (await register.search({ ...search, status: search.status ? [...ENTRY_STATUSES] : undefined, cursor: paging.cursor, limit: PAGE_SIZE }).catch(expiredCursor));
      if (search && paging && !found) {
        fieldErrors.cursor = MESSAGES.cursor!;
        errors.push({ field: 'q', message: MESSAGES.cursor! });
      }
      if (search && paging && found) {
        const params = new URLSearchParams(FIELDS.flatMap((k): [string, string][] => (search[k] ? [[k, search[k]]] : [])));
        const similar = found.match === 'similar';
        results = {
          heading: found.items.length ? `Mediators ${describeSearch(search, similar) || 'on the register'}` : `No results${description ? ` for ${description}` : ''}`,
          // Near misses, on every page of them: say that these are not what was typed.
          similarTo: similar ? search.q : null,
          // Counted on the first page (the API counts there only), when there is anything to count.
          count: found.total && found.items.length ? resultCountLabel(found.total, found.totalIsAtLeast, similar) : null,
          items: found.items.map(toView),
          ...pagingLinks(params, paging, found.nextCursor),
        };
      }
      const title = errors.length
        ? 'Error: Find a SEND mediator'
        : results
          ? `${results.items.length ? 'Search results' : 'No results'}${description ? ` for ${description}` : ''} – Find a SEND mediator`
          : 'Find a SEND mediator – Register of SEND Mediators';
      const body = eta.render('./search', {
        form,
        errors,
        fieldErrors,
        results,
        regions: Object.entries(REGION_LABELS).map(([code, label]) => ({ code, label })),
        languages: SEARCH_LANGUAGES.map((code) => ({ code, label: languageLabel(code) })).sort((a, b) => a.label.localeCompare(b.label)),
        bodies: Object.entries(BODY_LABELS).map(([code, label]) => ({ code, label })),
      });
      return reply
        .code(errors.length ? 400 : 200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(page(title, body));
    },
  });

  app.get('/mediators/:id', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['pages'],
      summary: 'One register entry, labelled with its status, its public history and a status check on a date (HTML)',
      // The router's own bound (maxParamLength): any id it lets through gets the not-found page, not a JSON 400.
      params: z.object({ id: z.string().max(200) }),
      querystring: PageQuerySchema,
    },
    handler: async (req, reply) => {
      const id = req.params.id;
      const asOf = readAsOf(req.query);
      try {
        if (!z.uuid().safeParse(id).success) throw notFound('The mediator');
        const [entry, history, onDate] = await Promise.all([register.entry(id), register.history(id), asOf.date ? register.statusOnDate(id, asOf.date).catch(futureDate) : null]);
        const asOfError = asOf.error ?? (asOf.date && !onDate ? AS_OF_MESSAGES.future : null);
        const body = eta.render('./mediator', {
          m: toView(entry),
          accredited: entry.status === 'accredited',
          statusExplained: entry.statusExplained,
          history: history.map((h) => ({ dateLabel: dateLabel(h.date), statusLabel: STATUS_LABELS[h.status] ?? h.status })),
          asOf: { value: asOf.typed, error: asOfError, answer: onDate ? statusOnDateLabel(entry.fullName, onDate) : null },
        });
        return reply
          .code(asOfError ? 400 : 200)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(page(`${asOfError ? 'Error: ' : ''}${entry.fullName} – SEND mediator – Register of SEND Mediators`, body));
      } catch (err) {
        if (!(err instanceof HttpProblem) || (err.code !== 'not-found' && err.code !== 'gone')) throw err;
        const isGone = err.code === 'gone';
        return reply
          .code(err.status)
          .type('text/html; charset=utf-8')
          .send(
            page(
              `${isGone ? 'Mediator no longer on the register' : 'Mediator not found'} – Register of SEND Mediators`,
              eta.render(isGone ? './gone' : './not-found', { years: config.REGISTER_REMOVED_VISIBLE_YEARS }),
            ),
          );
      }
    },
  });

  app.get('/assets/site.css', {
    config: { access: 'public' },
    schema: { tags: ['pages'], summary: 'The pages’ stylesheet' },
    handler: async (req, reply) => {
      reply.header('etag', stylesheetEtag).header('cache-control', 'public, max-age=86400');
      if (req.headers['if-none-match'] === stylesheetEtag) return reply.code(304).send();
      return reply.type('text/css; charset=utf-8').send(stylesheet);
    },
  });
};

import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { renderPage } from './page-views.ts';

/**
 * What the pages opened from a link with a secret in it share (the setup link, the account links in
 * emails): one layout, url-encoded form posts, fields with their errors, and answers that are never
 * cached nor passed on as a referrer.
 */
export interface FormField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'password';
  autocomplete: string;
  hint?: string;
}

/** A posted form: names and values as text, bounded; what each page does with them is its own. */
export const FormBodySchema = z.record(z.string().max(64), z.string().max(1000));

/** Plain HTML forms post url-encoded; only the plugin that calls this takes such bodies. */
export function acceptFormPosts(app: FastifyInstance) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
}

/** The fields as typed (never the passwords), each with its message, and the summary that links to them. */
export function fieldsView(fields: readonly FormField[], values: Record<string, string>, fieldErrors: Record<string, string>) {
  return {
    errors: fields.filter((f) => fieldErrors[f.name]).map((f) => ({ field: f.name, message: `${f.label}: ${fieldErrors[f.name]}` })),
    fields: fields.map((f) => {
      const error = fieldErrors[f.name];
      const describedBy = [f.hint && `${f.name}-hint`, error && `${f.name}-error`].filter(Boolean).join(' ');
      return { ...f, error, describedBy, value: f.type === 'password' ? '' : (values[f.name] ?? '') };
    }),
  };
}

/** A page in the site's layout; the link's secret must not be cached or sent onwards as a referrer. */
export function sendLinkPage(reply: FastifyReply, status: number, title: string, template: string, view: object) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(renderPage(`${title} – Register of SEND Mediators`, template, view));
}

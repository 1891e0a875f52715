import { z } from 'zod';
import { HttpProblem } from '../../errors.ts';
import { acceptFormPosts, FormBodySchema, fieldsView, sendLinkPage, type FormField } from '../public-pages/link-page.ts';
import type { Module } from '../module.ts';
import { createSetupService, SetupFormSchema } from './setup-service.ts';

const FIELDS: readonly FormField[] = [
  { name: 'fullName', label: 'Full name', type: 'text', autocomplete: 'name' },
  { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email' },
  { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 12 characters' },
  { name: 'confirm', label: 'Password again', type: 'password', autocomplete: 'new-password' },
];

const formView = (code: string, values: Record<string, string>, fieldErrors: Record<string, string>) => ({
  valid: true,
  action: '/setup',
  hidden: [{ name: 'code', value: code }],
  button: 'Create the registrar',
  ...fieldsView(FIELDS, values, fieldErrors),
});

/** The first registrar, from the link this process prints when it starts listening on a register without one. */
export const setupModule: Module<'publicUrl'> = async (app, { db, clock, publicUrl }) => {
  const setup = createSetupService({ db, clock });
  app.addHook('onListen', async () => {
    const token = await setup.issueLink();
    if (token) app.log.warn({ setupUrl: `${publicUrl()}/setup?code=${token}` }, 'No registrar yet: open the setup link once to create the first one');
  });
  acceptFormPosts(app);
  const send = (reply: Parameters<typeof sendLinkPage>[0], status: number, title: string, view: object) => sendLinkPage(reply, status, title, './setup', view);

  app.get('/setup', {
    config: { access: 'public' },
    schema: {
      tags: ['pages'],
      summary: 'The first-registrar setup page (HTML; works only with the link the server prints while there is no registrar)',
      querystring: z.object({ code: z.string().max(200).default('').describe('The single-use code from the printed link') }),
    },
    handler: async (req, reply) => {
      const valid = setup.isValid(req.query.code);
      return send(reply, valid ? 200 : 410, valid ? 'Set up the first registrar' : 'Setup link no longer works', valid ? formView(req.query.code, {}, {}) : { valid });
    },
  });

  app.post('/setup', {
    config: { access: 'public' },
    schema: { tags: ['pages'], summary: 'Create the first registrar (HTML form post)', consumes: ['application/x-www-form-urlencoded'], body: FormBodySchema },
    handler: async (req, reply) => {
      const { code = '', ...values } = req.body;
      if (!setup.isValid(code)) return send(reply, 410, 'Setup link no longer works', { valid: false });
      const parsed = SetupFormSchema.safeParse(values);
      if (!parsed.success) {
        const fieldErrors: Record<string, string> = {};
        for (const i of parsed.error.issues) fieldErrors[String(i.path[0] ?? 'fullName')] ??= i.message;
        return send(reply, 400, 'Error: Set up the first registrar', formView(code, values, fieldErrors));
      }
      try {
        const user = await setup.createRegistrar(code, parsed.data);
        req.log.info({ userId: user.id }, 'first registrar created through the setup page');
        return send(reply, 201, 'Registrar set up', { done: true, email: user.email });
      } catch (err) {
        if (err instanceof HttpProblem && err.status === 410) return send(reply, 410, 'Setup link no longer works', { valid: false });
        if (err instanceof HttpProblem && err.status === 409)
          return send(reply, 409, 'Error: Set up the first registrar', formView(code, values, { email: 'an account with this email already exists' }));
        throw err;
      }
    },
  });
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ClaimFormSchema, LinkQuerySchema, ResetFormSchema, VerifyFormSchema } from '../../../schemas/account-pages.ts';
import { HttpProblem } from '../../errors.ts';
import type { RequestContext } from '../../lib/context.ts';
import type { createClaimService } from '../auth/claim-service.ts';
import type { PasswordResetService } from '../auth/password-reset-service.ts';
import type { RegistrationService } from '../auth/registration-service.ts';
import { createLinkServices } from '../auth/link-services.ts';
import type { Module } from '../module.ts';
import { acceptFormPosts, fieldsView, FormBodySchema, sendLinkPage, type FormField } from '../public-pages/link-page.ts';
import { createFormGuard, isCrossSite, type FormGuard } from './form-guard.ts';
import { createResetRequestForm, type ResetRequestForm } from './reset-request-form.ts';

export interface AccountPagesOptions {
  claims: Pick<ReturnType<typeof createClaimService>, 'claim' | 'isLive'>;
  registration: Pick<RegistrationService, 'verify' | 'isLive'>;
  passwordReset: Pick<PasswordResetService, 'request' | 'reset' | 'isLive'>;
  /** The server's secret, from which the form tokens' key is derived. */
  secret: string;
  /** PUBLIC_URL: its host is ours too when checking where a post came from. */
  publicUrl: string | undefined;
  authPerMinute: number;
}

/** One page opened from an emailed link: what it says, asks and does. */
interface LinkPage {
  path: string;
  /** What the form does, and which email's link opens the page. */
  summary: string;
  mail: string;
  fields: readonly FormField[];
  form: z.ZodType<{ password: string }>;
  copy: { heading: string; lede: string; button: string; doneHeading: string; doneBefore: string; doneAfter: string; expiredHeading: string; expired: string; next?: { href: string; label: string } };
  doneStatus: 200 | 201;
  isLive(secret: string): Promise<boolean>;
  submit(ctx: RequestContext, secret: string, password: string): Promise<{ email: string }>;
  /** What the page is when opened, or posted, without a code. */
  withoutCode?: ResetRequestForm;
}

const NEW_PASSWORD: readonly FormField[] = [
  { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 12 characters, not easy to guess: a few unrelated words work well' },
  { name: 'confirm', label: 'New password again', type: 'password', autocomplete: 'new-password' },
];
const RESET_AGAIN = { href: '/account/reset', label: 'Ask for a password reset email' };
const LINK_RETRY = 'Open the link in your email again and fill in the form on that page.';

function linkPages({ claims, registration, passwordReset }: AccountPagesOptions, guard: FormGuard): LinkPage[] {
  return [
    {
      path: '/account/claim',
      summary: 'Claim a grandfathered account: choose the first password',
      mail: 'claim',
      fields: NEW_PASSWORD,
      form: ClaimFormSchema,
      copy: {
        heading: 'Claim your account',
        lede: 'You are on the register as an accredited mediator. Choose a password to sign in for the first time. This link works once.',
        button: 'Set my password',
        doneHeading: 'Your account is ready',
        doneBefore: 'You can now sign in as ',
        doneAfter: ' with the password you chose.',
        expiredHeading: 'This claim link no longer works',
        expired:
          'It has been used, has expired, or a newer one has been sent. Ask your professional body to send a new claim email, or ask for a password reset email to the address the register has for you.',
        next: RESET_AGAIN,
      },
      doneStatus: 200,
      isLive: (code) => claims.isLive(code),
      submit: (ctx, code, password) => claims.claim(ctx, code, password),
    },
    {
      path: '/account/verify',
      summary: 'Confirm the email address of a registration and create the account',
      mail: 'verification',
      fields: [{ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', hint: 'The password you chose when you registered' }],
      form: VerifyFormSchema,
      copy: {
        heading: 'Confirm your email address',
        lede: 'Enter the password you chose when you registered. Your account is created when it matches, so nobody who registered your address before you can hold the account.',
        button: 'Confirm and create my account',
        doneHeading: 'Your account is created',
        doneBefore: 'Your email address ',
        doneAfter: ' is confirmed. You can now sign in with it and your password.',
        expiredHeading: 'This confirmation link no longer works',
        expired: 'It has been used or has expired. Register again to get a new link; if you already have an account, sign in, or ask for a password reset email if you have forgotten your password.',
        next: RESET_AGAIN,
      },
      doneStatus: 201,
      isLive: (code) => registration.isLive(code),
      submit: (ctx, code, password) => registration.verify(ctx, { token: code, password }),
    },
    {
      path: '/account/reset',
      summary: 'Choose a new password; every session of the account ends (without a code: a form to ask for the link)',
      mail: 'password reset',
      fields: NEW_PASSWORD,
      form: ResetFormSchema,
      copy: {
        heading: 'Choose a new password',
        lede: 'Setting a new password signs you out on every device. This link works once.',
        button: 'Set my new password',
        doneHeading: 'Your password is changed',
        doneBefore: 'You can now sign in as ',
        doneAfter: ' with your new password. Every other session of this account has been signed out.',
        expiredHeading: 'This password reset link no longer works',
        expired: 'It has been used, has expired (a link works for one hour), or a newer one has been sent. Use the link in the newest email, or ask for a new one.',
        next: { href: '/account/reset', label: 'Ask for a new link' },
      },
      doneStatus: 200,
      isLive: (code) => passwordReset.isLive(code),
      submit: (ctx, code, password) => passwordReset.reset(ctx, { token: code, password }),
      withoutCode: createResetRequestForm(guard, passwordReset),
    },
  ];
}

/**
 * The pages behind the links in account emails. The link's secret travels only in the query of the
 * first GET and then in a hidden field, never in a redirect; posts need the form's token and must
 * not come from another site. /account/reset without a code is where a reset link is asked for.
 */
export const accountPagesRoutes: FastifyPluginAsyncZod<AccountPagesOptions> = async (app, options) => {
  acceptFormPosts(app);
  const guard = createFormGuard(options.secret);
  const publicHost = options.publicUrl ? new URL(options.publicUrl).host : null;
  const ourHosts = (req: FastifyRequest) => (publicHost ? [req.host, publicHost] : [req.host]);

  for (const page of linkPages(options, guard)) {
    const showForm = (reply: FastifyReply, status: number, secret: string, fieldErrors: Record<string, string>, general?: string) => {
      const view = fieldsView(page.fields, {}, fieldErrors);
      return sendLinkPage(reply, status, status >= 400 ? `Error: ${page.copy.heading}` : page.copy.heading, './account', {
        state: 'form',
        copy: page.copy,
        action: page.path,
        hidden: [
          { name: 'code', value: secret },
          { name: 'csrf', value: guard.tokenFor(page.path, secret) },
        ],
        button: page.copy.button,
        ...view,
        errors: general ? [{ field: null, message: general }, ...view.errors] : view.errors,
      });
    };
    const expired = (reply: FastifyReply) => sendLinkPage(reply, 410, page.copy.expiredHeading, './account', { state: 'expired', copy: page.copy });

    app.get(page.path, {
      config: { access: 'public', rateLimit: { max: options.authPerMinute * 6, timeWindow: '1 minute' } },
      schema: { tags: ['pages'], summary: `${page.summary} (HTML page; the link in the ${page.mail} email)`, querystring: LinkQuerySchema },
      handler: async (req, reply) => {
        const secret = (req.query as { code?: string }).code;
        if (secret === undefined && page.withoutCode) return page.withoutCode.show(reply);
        return secret && (await page.isLive(secret)) ? showForm(reply, 200, secret, {}) : expired(reply);
      },
    });

    app.post(page.path, {
      config: { access: 'public', rateLimit: { max: options.authPerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['pages'], summary: `${page.summary} (HTML form post)`, consumes: ['application/x-www-form-urlencoded'], body: FormBodySchema },
      handler: async (req, reply) => {
        const { code: secret, csrf, ...values } = req.body;
        // A post with no code field at all comes from the page's form without a code, if it has one.
        const other = secret === undefined ? page.withoutCode : undefined;
        const genuine = other ? other.accepts(values, csrf) : guard.accepts(page.path, secret ?? '', csrf);
        if (isCrossSite(req.headers, ourHosts(req)) || !genuine) {
          return sendLinkPage(reply, 403, 'Error: This form could not be sent', './account', { state: 'refused', retry: other?.retry ?? LINK_RETRY });
        }
        if (other) return other.submit(req.ctx, reply, values);
        if (!secret || !(await page.isLive(secret))) return expired(reply);
        const parsed = page.form.safeParse(values);
        if (!parsed.success) {
          const fieldErrors: Record<string, string> = {};
          for (const i of parsed.error.issues) fieldErrors[String(i.path[0] ?? 'password')] ??= i.message;
          return showForm(reply, 400, secret, fieldErrors);
        }
        try {
          const { email } = await page.submit(req.ctx, secret, parsed.data.password);
          return sendLinkPage(reply, page.doneStatus, page.copy.doneHeading, './account', { state: 'done', copy: page.copy, email });
        } catch (err) {
          if (!(err instanceof HttpProblem) || ![400, 409, 410, 422].includes(err.status)) throw err;
          const errors = err.errors ?? [];
          // Spent between the check above and now (another tab, a double submit).
          if (err.status === 410 || errors.some((e) => e.field === 'token')) return expired(reply);
          const fieldErrors: Record<string, string> = {};
          for (const e of errors) if (page.fields.some((f) => f.name === e.field)) fieldErrors[e.field] ??= e.message;
          return showForm(reply, err.status === 409 ? 409 : 400, secret, fieldErrors, Object.keys(fieldErrors).length ? undefined : err.detail);
        }
      },
    });
  }
};

/** The pages opened from emailed links (verify, reset, claim), on the same services as the API. */
export const accountPagesModule: Module<'counters' | 'publicUrl' | 'jwtSecret'> = async (app, deps) => {
  await app.register(accountPagesRoutes, {
    ...createLinkServices(deps),
    secret: deps.jwtSecret,
    publicUrl: deps.config.PUBLIC_URL,
    authPerMinute: deps.config.RATE_LIMIT_AUTH_PER_MINUTE,
  });
};

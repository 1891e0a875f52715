import type { FastifyReply } from 'fastify';
import { ResetRequestFormSchema } from '../../../schemas/account-pages.ts';
import type { RequestContext } from '../../lib/context.ts';
import { newToken } from '../../lib/tokens.ts';
import type { PasswordResetService } from '../auth/password-reset-service.ts';
import { fieldsView, sendLinkPage, type FormField } from '../public-pages/link-page.ts';
import type { FormGuard } from './form-guard.ts';

const PATH = '/account/reset';
// The form token's page: apart from the reset link form's, so neither form's token passes for the other's.
const TOKEN_PAGE = `${PATH} request`;
const HEADING = 'Forgotten your password?';
const FIELDS: readonly FormField[] = [{ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', hint: 'The address your account uses' }];
const EMAIL_MESSAGE = 'enter an email address, like name@example.org';

/**
 * "Forgotten your password?": /account/reset opened without a link's code. With no secret to bind
 * the form token to, each rendering draws a nonce, sent in the form with its HMAC (the link forms'
 * token, over this form's own page name). That shows a post came from a form this site rendered, not
 * whose: anyone may fetch one, as anyone may ask for a reset through the API. The cross-site refusal
 * keeps other sites from posting it from their visitors' browsers, the per-IP and per-address limits
 * keep floods out, and the answer is the same whether or not the address has an account.
 */
export function createResetRequestForm(guard: FormGuard, passwordReset: Pick<PasswordResetService, 'request'>) {
  const show = (reply: FastifyReply, status: number, values: Record<string, string>, fieldErrors: Record<string, string>) => {
    const nonce = newToken();
    return sendLinkPage(reply, status, status >= 400 ? `Error: ${HEADING}` : HEADING, './account', {
      state: 'form',
      copy: {
        heading: HEADING,
        lede: 'Enter the email address of your account and we will send it a link to choose a new password. A member who never claimed their account can set a first password this way too.',
      },
      action: PATH,
      hidden: [
        { name: 'nonce', value: nonce },
        { name: 'csrf', value: guard.tokenFor(TOKEN_PAGE, nonce) },
      ],
      button: 'Send me a link',
      ...fieldsView(FIELDS, values, fieldErrors),
    });
  };

  return {
    show: (reply: FastifyReply) => show(reply, 200, {}, {}),
    /** Whether a post carries a form this site rendered. */
    accepts: (values: Record<string, string>, csrf: string | undefined) => guard.accepts(TOKEN_PAGE, values.nonce ?? '', csrf),
    /** What the refusal page says to do instead. */
    retry: 'Open the page again and fill in the form there.',

    /** A post already accepted: the same answer for every well-formed address. */
    async submit(ctx: RequestContext, reply: FastifyReply, values: Record<string, string>) {
      const email = values.email ?? '';
      const parsed = ResetRequestFormSchema.safeParse({ email });
      // One message a person can act on, whether the address is empty, malformed or overlong.
      if (!parsed.success) return show(reply, 400, { email }, { email: EMAIL_MESSAGE });
      await passwordReset.request(ctx, parsed.data.email);
      return sendLinkPage(reply, 202, 'Check your email', './account', { state: 'sent', email: parsed.data.email });
    },
  };
}

export type ResetRequestForm = ReturnType<typeof createResetRequestForm>;

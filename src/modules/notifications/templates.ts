/**
 * Plain-text messages with the facts a person needs: what happened, what to do, by when.
 * Each template takes the `data` stored on the outbox row.
 */
type Data = Record<string, unknown>;
type Render = (d: Data) => { subject: string; text: string };

const sign = '\n\nSEND Mediator Register (College of Mediators and Civil Mediation Council)';

export const templates = {
  welcome: (d: Data) => ({
    subject: 'Your SEND Mediator Register account',
    text: `Hello ${d.fullName},\n\nYour account on the SEND Mediator Register has been created with this email address. You can now sign in, complete your profile and start an application.${sign}`,
  }),
} satisfies Record<string, Render>;

export type TemplateName = keyof typeof templates;

export function renderTemplate(name: string, data: Data): { subject: string; text: string } {
  const render = (templates as Record<string, Render>)[name];
  if (!render) throw new Error(`Unknown notification template: ${name}`);
  return render(data);
}

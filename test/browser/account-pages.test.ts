import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { accountLinks } from '../helpers/account-links.ts';
import { buildTestApp, PASSWORD } from '../helpers/app.ts';
import { mailedSecret } from '../helpers/mail.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
// A non-loopback name over plain http: no secure context, so no Sec-Fetch-Site, and the no-referrer
// page posts with Origin: null; the form token alone must carry the post.
const HOST = 'register.example.test';
const NEW_PASSWORD = 'harbour violet tram fourteen';

/** Submits the page's form and waits for the page it answers with. */
async function submit(page: Page, button: string) {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button }).click()]);
}

async function axeViolations(page: Page) {
  await page.addScriptTag({ content: axe.source });
  // Evaluated in the page, where `axe` and `document` exist.
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`)) as axe.AxeResults;
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

t.test('the account link pages in a real browser', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed (.ci/run installs Debian's chromium)` }, async (t) => {
  // The sender would deliver (and scrub) a mail before the test reads its link: parked for the run.
  const ta = await buildTestApp(t, 'pglite', { env: { OUTBOX_POLL_MS: '3600000' } });
  const links = accountLinks(ta.database.db, ta.clock);
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (ta.app.server.address() as AddressInfo).port;
  const plainHttp = `http://${HOST}:${port}`;
  const loopback = `http://127.0.0.1:${port}`;

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
    ],
  });
  t.teardown(() => browser.close());
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await noJs.newPage();
  // axe runs as a script, so it gets its own context with our CSP bypassed for the injected copy.
  const axeContext = await browser.newContext({ bypassCSP: true });
  const signIn = (email: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  await t.test('claim: a mismatch is shown by the field, then the password is set', async (t) => {
    const { code, email } = await links.claim();
    await page.goto(`${plainHttp}/account/claim?code=${code}`);
    t.match(await page.title(), /^Claim your account/);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill('something else entirely');
    await submit(page, 'Set my password');
    t.match(await page.title(), /^Error: Claim your account/);
    t.equal(await page.locator('#confirm-error').innerText(), 'must match the password');
    t.equal(await page.getByLabel('New password', { exact: true }).inputValue(), '', 'the password is not filled back in');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}account-claim-error.png`, fullPage: true });
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit(page, 'Set my password');
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your account is ready');
    t.match(await page.locator('main').innerText(), new RegExp(`sign in as ${email}`));
    t.notMatch(page.url(), /code=/, 'the answer’s address carries no code');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
  });

  await t.test('verify: the wrong password is named, the right one creates the account', async (t) => {
    const { code, email } = await links.verify(PASSWORD);
    await page.goto(`${plainHttp}/account/verify?code=${code}`);
    await page.getByLabel('Password').fill('not the one I chose');
    await submit(page, 'Confirm and create my account');
    t.equal(await page.locator('#password-error').innerText(), 'not the password chosen at registration');
    await page.getByLabel('Password').fill(PASSWORD);
    await submit(page, 'Confirm and create my account');
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your account is created');
    t.equal((await signIn(email, PASSWORD)).statusCode, 200);
  });

  await t.test('reset: a new password; the used link then says what to do', async (t) => {
    const { code, email } = await links.reset();
    await page.goto(`${plainHttp}/account/reset?code=${code}`);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit(page, 'Set my new password');
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your password is changed');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
    const again = await page.goto(`${plainHttp}/account/reset?code=${code}`);
    t.equal(again?.status(), 410);
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'This password reset link no longer works');
    t.equal(await page.locator('form').count(), 0);
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Ask for a new link' }).click()]);
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Forgotten your password?', 'the spent link leads to where a new one is asked for');
  });

  await t.test('forgotten password: the request form mails a link that sets a new password', async (t) => {
    const { email } = await links.reset();
    await page.goto(`${plainHttp}/account/reset`);
    t.match(await page.title(), /^Forgotten your password\?/);
    await page.getByLabel('Email address').fill('not an address');
    await submit(page, 'Send me a link');
    t.equal(await page.locator('#email-error').innerText(), 'enter an email address, like name@example.org');
    t.equal(await page.getByLabel('Email address').inputValue(), 'not an address', 'what was typed is kept');
    await page.getByLabel('Email address').fill(email);
    await submit(page, 'Send me a link');
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Check your email', 'posted from plain http: the form token carries it');
    t.match(await page.locator('main').innerText(), /If an account uses .+, we have sent it a link/);
    await page.goto(`${plainHttp}/account/reset?code=${await mailedSecret(ta.database.db, email, 'password_reset')}`);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit(page, 'Set my new password');
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your password is changed');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
  });

  await t.test('axe finds no WCAG 2.2 AA violations on the form, its errors and the answers', async (t) => {
    const p = await axeContext.newPage();
    // `spent`: the page once more after the answer, when a link opened it.
    const flows: Array<{ url: string; button: string; wrong: Record<string, string>; right: Record<string, string>; spent: boolean }> = [
      {
        url: `/account/claim?code=${(await links.claim()).code}`,
        button: 'Set my password',
        wrong: { 'New password': 'short' },
        right: { 'New password': NEW_PASSWORD, 'New password again': NEW_PASSWORD },
        spent: true,
      },
      { url: `/account/verify?code=${(await links.verify(PASSWORD)).code}`, button: 'Confirm and create my account', wrong: { Password: 'not the one' }, right: { Password: PASSWORD }, spent: true },
      {
        url: `/account/reset?code=${(await links.reset()).code}`,
        button: 'Set my new password',
        wrong: { 'New password': 'short' },
        right: { 'New password': NEW_PASSWORD, 'New password again': NEW_PASSWORD },
        spent: true,
      },
      { url: '/account/reset', button: 'Send me a link', wrong: { 'Email address': 'not an address' }, right: { 'Email address': (await links.reset()).email }, spent: false },
    ];
    const fill = async (values: Record<string, string>) => {
      for (const [label, value] of Object.entries(values)) await p.getByLabel(label, { exact: true }).fill(value);
    };
    for (const f of flows) {
      const name = f.url.slice(0, 16);
      await p.goto(`${loopback}${f.url}`);
      t.same(await axeViolations(p), [], `${name}: the form`);
      await fill(f.wrong);
      await submit(p, f.button);
      t.equal(await p.locator('.error-summary').count(), 1, `${name}: the error state`);
      t.same(await axeViolations(p), [], `${name}: the error state`);
      await fill(f.right);
      await submit(p, f.button);
      t.equal(await p.locator('form').count(), 0, `${name}: done`);
      t.same(await axeViolations(p), [], `${name}: the answer`);
      if (!f.spent) continue;
      await p.goto(`${loopback}${f.url}`);
      t.same(await axeViolations(p), [], `${name}: the spent link`);
    }
    // A form whose token was tampered with: the refusal page.
    const { code } = await links.claim();
    await p.goto(`${loopback}/account/claim?code=${code}`);
    await p.evaluate(`document.querySelector('input[name=csrf]').value = 'tampered'`);
    await fill({ 'New password': NEW_PASSWORD, 'New password again': NEW_PASSWORD });
    await submit(p, 'Set my password');
    t.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'This form could not be sent');
    t.same(await axeViolations(p), [], 'the refusal page');
    await p.close();
  });
});

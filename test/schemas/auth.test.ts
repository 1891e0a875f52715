import t from 'tap';
import { EmailSchema, normaliseEmail, PasswordSchema, RegisterBodySchema } from '../../schemas/auth.ts';
import { ClaimBodySchema } from '../../schemas/imports.ts';
import { PASSWORD } from '../helpers/app.ts';

const issues = (result: { error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) => result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

t.test('common and trivially weak passwords are refused, saying why', async (t) => {
  const weak = ['aaaaaaaaaaaa', 'password1234', ' '.repeat(12), 'qwertyuiop12', '123456789012', 'P@ssw0rd1234', 'abcabcabcabc', 'iloveyou2024'];
  for (const password of weak) {
    const found = issues(PasswordSchema.safeParse(password));
    t.equal(found.length, 1, JSON.stringify(password));
    t.match(found[0], /^: is too easy to guess \(.+\)$/, `${JSON.stringify(password)}: one plain reason, with zxcvbn's advice`);
  }
  t.match(issues(PasswordSchema.safeParse('password1234'))[0], 'This is similar to a commonly used password');
  t.match(issues(PasswordSchema.safeParse('aaaaaaaaaaaa'))[0], 'Repeated characters like "aaa" are easy to guess');
});

t.test('strong passwords pass; the length limits stay, each with a single message', async (t) => {
  for (const password of [PASSWORD, 'lilac tractor quietly orbits', 'Tr0ub4dor&3xyz', 'q7#Vd9!mZ2@pLw', 'Siân’s kettle sings at dawn']) {
    t.same(issues(PasswordSchema.safeParse(password)), [], password);
  }
  t.same(issues(PasswordSchema.safeParse('Xq7#Vd9!mZ2')), [': must be at least 12 characters'], '11 characters: too short, and not also "weak"');
  t.same(issues(PasswordSchema.safeParse('q7#Vd9!mZ2@p')), [], '12 random characters are enough');
  const longest = `${PASSWORD} `.repeat(9).slice(0, 256);
  t.same(issues(PasswordSchema.safeParse(longest)), [], '256 characters are accepted');
  t.same(issues(PasswordSchema.safeParse(`${longest}x`)), [': Too big: expected string to have <=256 characters'], '257 are not');
  t.match(issues(PasswordSchema.safeParse('a'.repeat(200)))[0], 'too easy to guess', 'a long run of one letter is weak, however long');
});

t.test('registration also refuses a password made of the person’s own name or email', async (t) => {
  const body = (password: string) => ({ email: 'Sian.Jones@example.org', password, fullName: 'Siân Jones' });
  for (const password of ['sian.jones1985', 'SianJones1985', 'siân jones 1985', 'sian.jones@example.org']) {
    t.same(PasswordSchema.safeParse(password).success, true, `${password}: not weak on its own`);
    const found = issues(RegisterBodySchema.safeParse(body(password)));
    t.same(found, ['password: is too easy to guess (It contains your own name or email address. Add more words that are less common)'], password);
  }
  t.same(issues(RegisterBodySchema.safeParse(body(PASSWORD))), []);
  const long = { email: 'rea.registrar@register.example.org', fullName: 'Rea Registrar' };
  for (const password of [long.email, `${long.email}!`, 'RegisterRea.Registrar']) {
    t.same(
      issues(RegisterBodySchema.safeParse({ ...long, password })),
      ['password: is too easy to guess (It contains your own name or email address. Add more words that are less common)'],
      `${password}: longer than the part zxcvbn reads`,
    );
  }
  t.same(issues(RegisterBodySchema.safeParse({ ...long, password: 'rea keeps seven quiet otter lanterns' })), [], 'a first name inside a real passphrase is fine');
  t.same(issues(RegisterBodySchema.safeParse(body('password1234'))), ['password: is too easy to guess (This is similar to a commonly used password. Add more words that are less common)']);
  t.same(
    issues(RegisterBodySchema.safeParse({ email: 'not-an-email', password: 'password1234', fullName: 'A' })).sort(),
    ['email: Invalid email address', 'password: is too easy to guess (This is similar to a commonly used password. Add more words that are less common)'],
    'both problems reported at once',
  );
  t.same(
    issues(RegisterBodySchema.safeParse({ email: 'a@example.org', password: 'password1234' })),
    ['fullName: Invalid input: expected string, received undefined'],
    'a missing detail is reported (the strength check waits for it)',
  );
});

t.test('a claim refuses weak passwords too', async (t) => {
  t.match(issues(ClaimBodySchema.safeParse({ token: 'code', password: 'password1234' })), ['password: is too easy to guess']);
  t.same(issues(ClaimBodySchema.safeParse({ token: 'code', password: PASSWORD })), []);
});

t.test('one address, one spelling: fullwidth forms, case and the root dot of the domain', async (t) => {
  for (const email of ['m1@t.example', 'M1@T.Example', '\uFF4D1@t.example', 'm1@t.example.', ' M1@t.example. ', '\uFF4D\uFF11\uFF20\uFF54\uFF0E\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45']) {
    t.equal(EmailSchema.parse(email), 'm1@t.example', JSON.stringify(email));
    t.equal(normaliseEmail(email), 'm1@t.example', `${JSON.stringify(email)}: sign-in looks it up the same way`);
  }
  t.equal(EmailSchema.parse('Siân@Example.org'), 'siân@example.org', 'internationalised addresses stay');
  t.equal(EmailSchema.parse('sia\u0302n@example.org'), 'siân@example.org', 'composed, so both ways of typing â are one address');
  t.equal(EmailSchema.safeParse('not-an-email').success, false);
  t.equal(EmailSchema.safeParse(`${'a'.repeat(64)}@${'b'.repeat(185)}.org`).success, true, '254 characters');
  t.equal(EmailSchema.safeParse(`${'a'.repeat(64)}@${'b'.repeat(186)}.org`).success, false, '255 are too many');
});

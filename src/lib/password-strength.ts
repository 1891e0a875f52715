import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** zxcvbn's 3 is "safely unguessable": about 10^8 guesses, beyond an online attack on a rate-limited login. */
const MIN_SCORE = 3;
// The estimate's cost grows steeply with length and with characters that have l33t readings: with the
// library's defaults one 256-character run of symbols cost about 2 s of CPU, on the event loop. Only
// the first 32 characters are analysed (a longer password is judged by its start, which errs towards
// refusing) and 30 l33t readings are tried, not 100: at most about 50 ms of CPU on a loaded machine,
// and the same verdict as the defaults for 899 of 900 sample passwords (l33t-spelt common ones and
// runs of common words).
const ANALYSED_CHARACTERS = 32;
const L33T_VARIANTS = 30;
const FALLBACK_ADVICE = 'Use a longer phrase of several uncommon words';

let estimator: ZxcvbnFactory | undefined;

/**
 * Built on first use, not at import: loading and ranking the dictionaries takes most of a second of
 * CPU, which processes that never check a password (most CLI commands, most requests) should not pay.
 */
function zxcvbn(): ZxcvbnFactory {
  if (estimator) return estimator;
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  estimator = new ZxcvbnFactory({
    translations: { ...en.translations, warnings: { ...en.translations.warnings, userInputs: 'It contains your own name or email address.' } },
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
    maxLength: ANALYSED_CHARACTERS,
    l33tMaxSubstitutions: L33T_VARIANTS,
  });
  return estimator;
}

/**
 * zxcvbn finds a personal detail only as a whole word, and scores a password made of several short
 * matches as if it were random, so "Siân Jones" and "sian.jones@example.org" also give the address's
 * local part, the words, the words run together as people write them, and all of it without accents.
 */
function guessesFrom(details: readonly string[]): string[] {
  const guesses = new Set<string>();
  for (const detail of details) {
    const lower = detail.normalize('NFKC').toLowerCase();
    for (const form of new Set([lower, lower.normalize('NFD').replace(/\p{M}/gu, '')])) {
      const words = form.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
      const joined = ['', '.', '_', '-'].map((glue) => words.join(glue));
      for (const guess of [form, form.split('@')[0]!, ...words, ...joined]) if (guess) guesses.add(guess);
    }
  }
  return [...guesses];
}

const OWN_DETAILS = 'It contains your own name or email address. Add more words that are less common';
/** Letters and digits only, folded: how an attacker who knows the details would try them. */
const fold = (v: string) =>
  v
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^\p{L}\p{N}]/gu, '');

/**
 * A whole email address or name with little else. zxcvbn reads only the first characters of a long
 * password, so a long address typed as the password would otherwise pass as several random words.
 */
function mostlyOwnDetails(password: string, details: readonly string[]): boolean {
  let rest = fold(password);
  const wholes = details
    .flatMap((d) => [d, d.split('@')[0]!])
    .map(fold)
    .filter((d) => d.length >= 4);
  for (const whole of wholes.sort((a, b) => b.length - a.length)) rest = rest.replaceAll(whole, '');
  return rest.length < 8 && rest.length < fold(password).length;
}

/**
 * Why `password` is too easy to guess, in words for the person choosing it, or undefined when it is
 * strong enough. `details` are the account's own email and name: an attacker's first guesses.
 */
export function passwordWeakness(password: string, details: readonly string[] = []): string | undefined {
  if (mostlyOwnDetails(password, details)) return `is too easy to guess (${OWN_DETAILS})`;
  const { score, feedback } = zxcvbn().check(password, guessesFrom(details));
  if (score >= MIN_SCORE) return undefined;
  // Worded to follow the field's name ("password is too easy to guess (...)"), like the other rules.
  const advice = [feedback.warning, ...feedback.suggestions].filter((s): s is string => Boolean(s)).map((s) => s.replace(/\.$/, ''));
  return `is too easy to guess (${(advice.length ? advice : [FALLBACK_ADVICE]).join('. ')})`;
}

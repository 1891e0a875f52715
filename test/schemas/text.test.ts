import t from 'tap';
import { hiddenCharacters, text } from '../../schemas/common.ts';

const Name = text(200);
const messages = (v: string) => Name.safeParse(v).error?.issues.map((i) => i.message) ?? [];

t.test('bidirectional controls, zero-width and other invisible characters are refused, naming them', async (t) => {
  const refused: Record<string, [string, string]> = {
    'right-to-left override': ['\u202Enimda', 'U+202E'],
    'left-to-right embedding': ['a\u202Ab', 'U+202A'],
    'pop directional formatting': ['a\u202Cb', 'U+202C'],
    'left-to-right isolate': ['a\u2066b\u2069', 'U+2066'],
    'right-to-left mark': ['a\u200Fb', 'U+200F'],
    'left-to-right mark': ['a\u200Eb', 'U+200E'],
    'Arabic letter mark': ['a\u061Cb', 'U+061C'],
    'zero-width space': ['Ad\u200Bmin', 'U+200B'],
    'zero-width non-joiner between Latin letters': ['Ad\u200Cmin', 'U+200C'],
    'zero-width joiner between Latin letters': ['Ad\u200Dmin', 'U+200D'],
    'word joiner': ['a\u2060b', 'U+2060'],
    'invisible times': ['a\u2062b', 'U+2062'],
    'byte order mark inside': ['a\uFEFFb', 'U+FEFF'],
    'soft hyphen': ['Anne\u00ADMarie', 'U+00AD'],
    'Hangul filler': ['a\u3164b', 'U+3164'],
    'combining grapheme joiner': ['a\u034Fb', 'U+034F'],
    'variation selector after a letter': ['a\uFE0Fb', 'U+FE0F'],
    'tag characters': ['Wales \u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}', 'U+E0067'],
    'emoji ZWJ sequence': ['Judge \u{1F9D1}\u200D\u2696\uFE0F', 'U+200D'],
    NUL: ['a\u0000b', 'U+0000'],
    escape: ['a\u001Bb', 'U+001B'],
    delete: ['a\u007Fb', 'U+007F'],
    'C1 next line': ['a\u0085b', 'U+0085'],
  };
  for (const [what, [value, codePoint]] of Object.entries(refused)) {
    const found = messages(value);
    t.equal(found.length, 1, what);
    t.match(found[0], /^must not contain control or invisible characters \(found /, `${what}: says why`);
    t.match(found[0], codePoint, `${what}: names ${codePoint}`);
  }
  t.match(messages(`${'\u200B'.repeat(3)}x\u200C\u200D\u2060\u2061\u2062\u2063`), /\(found U\+200B, U\+200C, U\+200D, U\+2060, U\+2061, …\)$/, 'a long list is cut short');
});

t.test('real names and ordinary text pass', async (t) => {
  const accepted = {
    Welsh: 'Siân Llŷr',
    Irish: 'Aoife Ó Briain',
    Chinese: '李小龙',
    Arabic: 'محمد علي',
    Hebrew: 'דוד לוי',
    Hindi: 'अनुष्का शर्मा',
    'Persian with a zero-width non-joiner in a word': 'نیک\u200Cنام',
    'Sinhala conjunct with a zero-width joiner': 'ශ්\u200Dරී',
    'Devanagari half form with a zero-width joiner': 'क्\u200Dष',
    'no-break space': 'Jean\u00A0Dupont',
    'emoji with its presentation selector': 'SEND law update ❤\uFE0F',
    'tab and line breaks in notes': 'first line\n\tsecond line\r\nthird',
  };
  for (const [what, value] of Object.entries(accepted)) {
    t.same(messages(value), [], what);
    t.same(hiddenCharacters(value), [], `${what}: nothing hidden`);
  }
  t.equal(Name.parse('\uFEFFAnn Smith '), 'Ann Smith', 'a byte order mark at the start is trimmed like white space');
});

t.test('text is stored in NFC: a combining accent equals the precomposed letter', async (t) => {
  const combining = 'Sia\u0302n Jones';
  const precomposed = 'Si\u00E2n Jones';
  t.not(combining, precomposed);
  t.equal(Name.parse(combining), precomposed);
  t.equal(Name.parse(precomposed), precomposed);
  t.equal(text(4).parse('Sia\u0302n'), 'Si\u00E2n', 'the length bound counts the normalised text');
});

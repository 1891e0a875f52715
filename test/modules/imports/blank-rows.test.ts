import t from 'tap';
import { readCsv } from '../../../src/modules/imports/import-file.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';

// Spreadsheet exports: Excel writes formatted empty rows as separators only, people leave rows of
// spaces. Those are blank lines: skipped, never errors, but still lines of the file.
const HEADER = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages,Organisation,Contact Email,Show Email';
const LINES = [
  HEADER, // 1
  'Anna Blank,anna.blank@example.org,BL-001,2019-01-01,london,en,,,', // 2
  ',,,,,,,,', // 3
  ', , ,', // 4
  '   ', // 5
  '"","",""', // 6
  'Ben Blank,ben.blank@example.org,BL-002,2019-01-01,london,en,"Two\r\nlines",,', // 7 and 8
  ',,,,,,,,', // 9
  '\t,\t', // 10
  'Cara Blank,not-an-email,BL-003,2019-01-01,london,en,,,', // 11
  ',,,,,,,,', // 12
];
const FILE = `${LINES.join('\r\n')}\r\n`;
const ENDINGS = [
  ['CRLF', FILE],
  ['LF', FILE.replaceAll('\r\n', '\n')],
] as const;
const GOOD = `${LINES.filter((l) => !l.includes('not-an-email')).join('\r\n')}\r\n`;

t.test('readCsv: blank rows are skipped and still counted as lines', async (t) => {
  for (const [name, text] of ENDINGS) {
    const rows = readCsv(text);
    t.same(
      rows.map((r) => r.line),
      [2, 7, 11],
      `${name}: the file's own lines`,
    );
    t.same(
      rows.map((r) => r.values.fullName),
      ['Anna Blank', 'Ben Blank', 'Cara Blank'],
      `${name}: only the real rows`,
    );
    t.same(
      rows.map((r) => r.problem),
      [undefined, undefined, undefined],
      `${name}: a blank row shorter than the header is no row problem`,
    );
  }
  t.same(
    readCsv(`,,,,\r\n \r\n${HEADER}\r\nDan Blank,dan@example.org,BL-9,2019-01-01,london,en,,,`).map((r) => r.line),
    [4],
    'blank rows before the header',
  );
  t.same(readCsv(`${HEADER}\r\n,,,,,,,,\r\n,,,,,,,,`), [], 'a file of blank rows has no rows');
  t.same(
    readCsv(`${HEADER}\r\n,,"x",,\r\n`).map((r) => r.line),
    [2],
    'one value makes a row',
  );
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const admin = await ta.staff('admin', 'com');
  const post = (csv: string, query = '') => ta.request({ method: 'POST', url: `/v1/admin/imports/grandfathered${query}`, token: admin.token, payload: csv, headers: { 'content-type': 'text/csv' } });

  await t.test('a file with blank rows: the error after them has its true line', async (t) => {
    for (const [name, text] of ENDINGS) {
      const res = await post(text, '?dryRun=true');
      t.equal(res.statusCode, 200, res.body);
      t.same(
        res.json().errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`),
        ['11:email'],
        `${name}: one error, on line 11, none for blank rows`,
      );
      t.match(res.json().counts, { rows: 3, create: 2, unchanged: 0, error: 1 }, `${name}: blank rows are not rows`);
    }
    const real = await post(FILE);
    t.equal(real.statusCode, 422, 'a real run with the error writes nothing');
    t.same(
      real.json().errors.map((e: { line: number }) => e.line),
      [11],
    );
  });

  await t.test('without the error the file imports', async (t) => {
    const res = await post(GOOD);
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), { written: true, errors: [], counts: { rows: 2, create: 2, unchanged: 0, error: 0 } });
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { londonDate } from '../../src/lib/clock.ts';
import { cli } from './cli-context.ts';
import { migratedDataDir, tempDir } from './cli-process.ts';

// Every command end to end on one embedded database, as an operator would run them in turn; with
// a terminal on stderr the long ones show what they are doing, without one only the result.

const HEADER = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages';
const GOOD = ['Anna Import,anna.import@example.org,IM-001,2019-01-01,london,en', 'Ben Import,ben.import@example.org,IM-002,2019-03-01,north_west;london,en;cy'];
const BAD = 'Cara Import,not-an-email,IM-003,2019-01-01,london,en';

t.test('import-grandfathered, compliance-run, seed and audit-verify keep their behaviour and report progress on a terminal', async (t) => {
  const env = { DATA_DIR: await migratedDataDir(t) };
  const files = tempDir(t, 'register-cli-files-');
  const withError = join(files, 'with-error.csv');
  writeFileSync(withError, [HEADER, ...GOOD, BAD].join('\r\n'));
  const good = join(files, 'good.csv');
  writeFileSync(good, [HEADER, ...GOOD].join('\n'));

  const refused = await cli(['import-grandfathered', withError, '--body', 'com'], env);
  t.equal(refused.code, 1);
  t.equal(refused.stderr, 'line 4: email: Invalid email address\n1 row(s) in error; nothing was written.\n');
  t.equal(refused.stdout, 'Nothing written: 3 rows, 2 to create, 0 unchanged, 1 in error.\n');

  const dryRun = await cli(['import-grandfathered', good, '--body', 'com', '--dry-run'], env);
  t.equal(dryRun.code, 0, dryRun.stderr);
  t.equal(dryRun.stdout, 'Dry run: 2 rows, 2 to create, 0 unchanged, 0 in error.\n');
  t.equal(dryRun.terminal, '', 'no terminal, no progress');

  const imported = await cli(['import-grandfathered', good, '--body', 'com'], env, { tty: true });
  t.equal(imported.code, 0, imported.stderr);
  t.equal(imported.stdout, 'Imported: 2 rows, 2 to create, 0 unchanged, 0 in error.\n');
  t.equal(imported.stderr, '', 'progress goes to the terminal, not into the result');
  for (const phase of ['Reading ', 'Opening the database', 'Checking 2 rows', '2 of 2 rows valid', 'Writing: 2 of 2 new members']) t.match(imported.terminal, phase, `progress: ${phase}`);
  t.match(imported.terminal, /\r\x1b\[2K$/, 'the progress line is cleared before the result');

  const again = await cli(['import-grandfathered', good, '--body', 'com'], env);
  t.equal(again.stdout, 'Nothing written: 2 rows, 0 to create, 2 unchanged, 0 in error.\n', 'a second import finds them unchanged');

  const today = londonDate(new Date());
  const run = await cli(['compliance-run', '--as-of', today], env, { tty: true });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, new RegExp(`^Ran for ${today}: \\d+ compliant, \\d+ in grace, \\d+ non-compliant, \\d+ exempt, \\d+ lapsed, \\d+ reminders sent\\.\\n$`));
  t.match(run.terminal, `Running the compliance job for ${today} (one transaction)`);
  const rerun = await cli(['compliance-run', '--as-of', today], env);
  t.match(rerun.stdout, `Already run for ${today}:`, 'once per date');

  const seeded = await cli(['seed', '--mediators', '3'], env, { tty: true });
  t.equal(seeded.code, 0, seeded.stderr);
  t.match(seeded.stdout, /^Seeded 3 mediators \(3 in all\) in \d+\.\d s\.\n$/);
  t.match(seeded.terminal, 'Seeded 3 mediators; recording status history and statistics');
  const reseeded = await cli(['seed', '--mediators', '3'], env);
  t.equal(reseeded.stdout, '3 seeded mediators already exist; nothing to do.\n');

  const verified = await cli(['audit-verify'], env);
  t.equal(verified.code, 0, verified.stderr);
  // Nothing sealed yet: the sealer runs in the server, and the CLI only reads.
  t.match(verified.stdout, /^Audit log intact: 0 leaves recomputed \(\d+ newer events not sealed yet\)\.\n$/);
});

import t from 'tap';
import { createProgress } from '../../src/cli/progress.ts';

const terminal = (isTTY: boolean, columns: number) => {
  const stream = { isTTY, columns, written: '', write: (s: string) => ((stream.written += s), true) };
  return stream;
};

t.test('on a terminal: one line rewritten in place, cut to the width, cleared at the end', async (t) => {
  const s = terminal(true, 30);
  const progress = createProgress(s as unknown as NodeJS.WriteStream);
  progress.clear();
  t.equal(s.written, '', 'nothing to clear before anything was shown');
  progress.show('Writing: 1,000 of 20,000 new members');
  t.equal(s.written, '\r\x1b[2KWriting: 1,000 of 20,000 new ', 'returns to the start of the line, cut to 29 columns');
  progress.clear();
  t.match(s.written, /\r\x1b\[2K$/, 'cleared');
  const length = s.written.length;
  progress.clear();
  t.equal(s.written.length, length, 'cleared once');
});

t.test('a terminal of unknown width: the whole line, with the seconds elapsed', async (t) => {
  const s = terminal(true, 0);
  const progress = createProgress(s as unknown as NodeJS.WriteStream);
  progress.show('Seeded 5,000 of 10,000 mediators');
  progress.clear();
  t.match(s.written, /^\r\x1b\[2KSeeded 5,000 of 10,000 mediators \(\d+ s\)\r\x1b\[2K$/);
});

t.test('not a terminal (a log, a pipe, a test): nothing at all', async (t) => {
  const s = terminal(false, 80);
  const progress = createProgress(s as unknown as NodeJS.WriteStream);
  progress.show('Opening the database');
  progress.clear();
  t.equal(s.written, '');
});

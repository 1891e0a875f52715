import { CliError, type Output } from './context.ts';

const ENTER = new Set(['\r', '\n']);
const ERASE = new Set(['\u007f', '\b']);

/**
 * Reads one line from a terminal without echoing it: raw mode, so the terminal shows nothing of
 * what is typed or pasted. Backspace and Ctrl-U edit; Ctrl-C or Ctrl-D on an empty line cancel.
 * Arrow keys and other escape sequences are ignored, not taken as part of the password.
 */
export function readHidden(prompt: string, input: NodeJS.ReadStream, output: Output): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    // Escape sequences: ESC, then '[' or 'O' for CSI/SS3, ended by a byte from @ to ~.
    let escapeState: 'none' | 'start' | 'body' = 'none';
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (escapeState === 'start') escapeState = ch === '[' || ch === 'O' ? 'body' : 'none';
        else if (escapeState === 'body') escapeState = ch >= '@' && ch <= '~' ? 'none' : 'body';
        else if (ENTER.has(ch)) return finish();
        else if (ch === '\u0003' || (ch === '\u0004' && value === '')) return finish(new CliError('Cancelled; no account was created.'));
        else if (ERASE.has(ch)) value = [...value].slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch === '\u001b') escapeState = 'start';
        else if (ch >= ' ') value += ch;
      }
    };
    // Raw before the prompt: anything typed once the prompt shows must not be echoed.
    input.setRawMode(true);
    output.write(prompt);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

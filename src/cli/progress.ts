/**
 * What a long command is doing, on one line of the terminal that is rewritten in place, with the
 * seconds elapsed. Only when stderr is a terminal: piped into a log or a test, nothing is written
 * and the command's final lines stand alone.
 */
export interface Progress {
  /** Replaces the line with a new phase or count. */
  show(text: string): void;
  /** Removes the line, before the command prints its result or an error. */
  clear(): void;
}

const silent: Progress = { show() {}, clear() {} };

export function createProgress(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return silent;
  const started = performance.now();
  let text: string | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const draw = () => {
    const seconds = Math.floor((performance.now() - started) / 1000);
    const line = `${text} (${seconds} s)`;
    // Wider than the terminal would wrap, and \r could then no longer return to its start.
    // A pseudo-terminal with no size set reports 0 columns: then the width is unknown.
    stream.write(`\r\x1b[2K${stream.columns > 1 ? line.slice(0, stream.columns - 1) : line}`);
  };
  return {
    show(next) {
      text = next;
      draw();
      // A single long statement reports nothing for minutes; the clock shows it is still going.
      ticker ??= setInterval(draw, 1000).unref();
    },
    clear() {
      if (text === undefined) return;
      clearInterval(ticker);
      ticker = undefined;
      text = undefined;
      stream.write('\r\x1b[2K');
    },
  };
}

/** 12,345: counts people can read at a glance. */
export const count = (n: number) => n.toLocaleString('en-GB');

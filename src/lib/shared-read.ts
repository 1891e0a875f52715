/**
 * A read that callers asking at once share, without any of them getting an answer older than its
 * own call: a caller joins only a read that has not started yet. While one read runs, callers
 * wait for it to end and then share the next; so at most one read runs, and each caller's read
 * began after it asked (as if it had sent its own).
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<unknown> | null = null;
  let queued: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const answer = read();
    const run = answer.then(
      () => {},
      () => {},
    );
    running = run;
    void run.then(() => {
      if (running === run) running = null;
    });
    return answer;
  };
  return () => {
    if (!running) return start();
    if (!queued) {
      queued = running.then(() => {
        queued = null;
        return start();
      });
    }
    return queued;
  };
}

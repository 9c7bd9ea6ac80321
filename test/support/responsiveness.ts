// How responsive a server stays while something heavy runs: its slowest answer to a cheap request.

/** GET `url` every 100 ms until `done` settles; the slowest answer, in ms. */
export async function slowestAnswerWhile(url: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  let slowest = 0;
  while (!finished) {
    const start = performance.now();
    await fetch(url);
    slowest = Math.max(slowest, performance.now() - start);
    await new Promise((r) => setTimeout(r, 100));
  }
  return slowest;
}

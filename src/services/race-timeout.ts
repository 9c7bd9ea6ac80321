// A wait bounded by a timeout: resolves with the work's result, or with undefined once `ms` passed.

/** The timer is cleared either way, so a finished race never keeps the process alive. */
export async function raceTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

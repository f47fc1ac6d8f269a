/**
 * Runs `work` at start and every `intervalMs` in the background, one run at a time: a tick that finds the previous run still
 * going is skipped rather than queued. stop() waits for a run in progress, so shutdown never cuts one in half.
 */
export function createPoller(work: () => Promise<unknown>, onError?: (error: unknown) => void) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    /** Runs once at once, then every intervalMs. */
    start(intervalMs: number) {
      const tick = () => {
        running ??= work()
          .catch((error) => onError?.(error))
          .finally(() => {
            running = undefined;
          });
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

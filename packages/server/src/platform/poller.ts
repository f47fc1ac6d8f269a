/**
 * Runs `work` every `intervalMs` in the background, one run at a time: a tick that finds the previous run still
 * going is skipped rather than queued. stop() waits for a run in progress, so shutdown never cuts one in half.
 */
export function createPoller(work: () => Promise<unknown>, onError?: (error: unknown) => void) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(intervalMs: number) {
      timer = setInterval(() => {
        running ??= work()
          .catch((error) => onError?.(error))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

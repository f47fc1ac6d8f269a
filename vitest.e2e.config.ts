import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests: a real server on a fresh embedded database, driven with Chromium. Needs `npm run build -w @pftis/web` first. */
export default defineConfig({
  test: {
    include: ['packages/web/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

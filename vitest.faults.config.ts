import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (test/faults), one scenario after the
 * other against `npm start` processes it starts itself — no shared DynamoDB
 * Local, no parallel files (the scenarios hurt a hub on purpose).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    fileParallelism: false,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Each scenario's line and the final table.
    silent: false,
  },
});

// vitest: every test under test/, run in forks so native SQLite handles never cross threads.
import { defineConfig } from 'vitest/config';

/** CI sets this to a file path: the usual output, plus a JSON report it reads its closing line from. */
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: jsonReport } } : {}),
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text-summary', 'html'] },
  },
});

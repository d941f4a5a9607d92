import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Network tests bind real sockets; keep parallelism modest on 2 shared cores.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Once per run, before the workers: the UI tests' browser (unpacked from npm unless CHROMIUM_PATH
    // names one), and whether the proxy tests also run against tinyproxy.
    globalSetup: ['./test/e2e/ui/support/browser-global-setup.ts', './test/e2e/proxy/support/proxy-global-setup.ts'],
  },
});

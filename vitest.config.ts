import { defineConfig } from "vitest/config";

/**
 * Test tiers (all run by `npm test`, all offline):
 * - unit: pure code, no sockets;
 * - infra: CDK template assertions (one test bundles for real);
 * - integration: real SDKs against the local emulators, which each test file starts itself on free ports;
 * - e2e-alt: the end-to-end suite again against the sandbox's second org (`ZOHO_SANDBOX_PROFILE=alt`: other custom
 *   fields, picklist values and lengths, a missing optional target, another Desk reply address), nothing else
 *   changed, so every run proves the product on an org that is not the demo org;
 * - security: hostile input against the local stack (test/security/), one stack per file; its global setup prints
 *   the suite's summary line (`security: N cases, ...`) at the end of the run.
 *
 * Every tier's logs are captured (test/setup.ts); the global teardown scans them all for secrets once, at the end.
 */
export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    globalSetup: ["test/global-setup.ts"],
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "infra", include: ["test/infra/**/*.test.ts"], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e-alt",
          include: ["test/integration/e2e/**/*.test.ts"],
          env: { ZOHO_SANDBOX_PROFILE: "alt" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "security",
          include: ["test/security/**/*.sec.test.ts"],
          globalSetup: ["test/security/summary.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

/**
 * Token refresh under load: 1,000 Zoho calls from 50 concurrent workers (each its own "Lambda container" with its
 * own token cache) across two token expiries. Expected: refreshes equal expiries, however many callers see the
 * expired token at once.
 */
import { startSecretsManager } from "../infra/local/secrets-manager/server.js";
import { createLocalZohoConnection } from "../infra/local/zoho-connection.js";
import { startZohoSandbox } from "../infra/local/zoho-sandbox/server.js";
import { DEFAULT_CONNECTION } from "../shared/config/stage.js";
import { connectionSecretName } from "../shared/domain/zoho-connection.js";
import type { Clock } from "../shared/ports/clock.js";

export async function run(): Promise<Record<string, unknown>> {
  const calls = 1_000;
  const workers = 50;
  const expiries = 2;
  const sandbox = await startZohoSandbox({ concurrencyLimit: workers, creditsPerDay: 1_000_000 });
  const secrets = await startSecretsManager();
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const link = createLocalZohoConnection({
    sandbox,
    secretsEndpoint: secrets.url,
    secretName: connectionSecretName("bench", DEFAULT_CONNECTION),
    clock,
  });
  try {
    await link.connect();
    const containers = Array.from({ length: workers }, () => link.container({ maxConcurrent: 1 }));
    const expireAt = new Set(
      Array.from({ length: expiries }, (_, i) => Math.floor(((i + 1) * calls) / (expiries + 1))),
    );
    const before = sandbox.inspect().counts as { refreshes: number; status_401: number };
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      containers.map(async ({ zoho }) => {
        while (next < calls) {
          const i = next++;
          // An hour passes for Zoho and for every worker: the token in every cache and in the secret is now expired.
          if (expireAt.has(i)) {
            sandbox.advanceClock(3_601);
            offset += 3_601_000;
          }
          try {
            await zoho.request({
              service: "crm",
              method: "GET",
              path: "/crm/v8/Leads",
              query: { fields: "Email", per_page: 1 },
            });
          } catch {
            failed += 1;
          }
        }
      }),
    );
    const after = sandbox.inspect().counts as { refreshes: number; status_401: number };
    return {
      calls,
      workers,
      expiries,
      refreshes: after.refreshes - before.refreshes,
      invalid_token_responses: after.status_401 - before.status_401,
      refresh_requests: link.coordinator.requests,
      failed_calls: failed,
      seconds: +((performance.now() - started) / 1000).toFixed(2),
    };
  } finally {
    link.close();
    await sandbox.close();
    await secrets.close();
  }
}

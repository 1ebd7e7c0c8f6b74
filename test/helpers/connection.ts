/** Test harness: a Zoho sandbox and a Secrets Manager emulator with a connection wired over them. */
import {
  type SecretsManagerEmulator,
  startSecretsManager,
} from "../../infra/local/secrets-manager/server.js";
import {
  createLocalZohoConnection,
  type LocalZohoConnection,
  MemoryMetrics,
} from "../../infra/local/zoho-connection.js";
import type { SandboxOptions } from "../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../infra/local/zoho-sandbox/server.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import type { Clock } from "../../shared/ports/clock.js";
import type { RefreshGuard } from "../../shared/use-cases/refresh-connection.js";

/** A clock the test moves; starts at real time. */
export class FakeClock implements Clock {
  private t = Date.now();
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type ConnectionHarness = Omit<LocalZohoConnection, "close" | "metrics" | "clock" | "container"> & {
  sandbox: ZohoSandbox;
  secretsEmulator: SecretsManagerEmulator;
  metrics: MemoryMetrics;
  clock: FakeClock;
  /** Like the local connection's, with no real sleeping between retries. */
  container: LocalZohoConnection["container"];
  close(): Promise<void>;
};

let n = 0;

export async function startConnectionHarness(
  options: { sandbox?: Partial<SandboxOptions>; guard?: Partial<RefreshGuard> } = {},
): Promise<ConnectionHarness> {
  const sandbox = await startZohoSandbox(options.sandbox ?? {});
  const secretsEmulator = await startSecretsManager();
  const clock = new FakeClock();
  const metrics = new MemoryMetrics();
  const link = createLocalZohoConnection({
    sandbox,
    secretsEndpoint: secretsEmulator.url,
    secretName: connectionSecretName("test", `conn-${++n}`),
    clock,
    metrics,
    ...(options.guard ? { guard: options.guard } : {}),
  });
  return {
    ...link,
    sandbox,
    secretsEmulator,
    metrics,
    clock,
    container: (opts = {}) => link.container({ sleep: () => Promise.resolve(), ...opts }),
    close: async () => {
      link.close();
      await sandbox.close();
      await secretsEmulator.close();
    },
  };
}

/**
 * The RefreshCoordinator in AWS: a synchronous invoke of the refresher Lambda, which has reserved concurrency 1,
 * so refreshes never overlap across the fleet. When the refresher is busy (the invoke is throttled), the refresh
 * already running is the one this caller needs: it polls the secret until the stale token is replaced.
 */
import { InvokeCommand, type LambdaClient, TooManyRequestsException } from "@aws-sdk/client-lambda";
import * as z from "zod";
import { parseConnection } from "../../domain/zoho-connection.js";
import { UpstreamUnavailableError } from "../../errors.js";
import type { Clock } from "../../ports/clock.js";
import { systemClock } from "../../ports/clock.js";
import type { RefreshCoordinator, RefreshOutcome } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";

const OutcomeSchema = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("refreshed"), expiresAt: z.number() }),
  z.object({ outcome: z.literal("fresh"), expiresAt: z.number().nullable() }),
  z.object({ outcome: z.literal("broken"), reason: z.string() }),
  z.object({ outcome: z.literal("throttled"), retryAfterMs: z.number() }),
]);

export interface LambdaRefreshCoordinatorOptions {
  client: Pick<LambdaClient, "send">;
  functionName: string;
  secrets: SecretStore;
  clock?: Clock;
  /** How long to wait for someone else's refresh when the refresher is busy. @default 5_000 */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class LambdaRefreshCoordinator implements RefreshCoordinator {
  constructor(private readonly options: LambdaRefreshCoordinatorOptions) {}

  async requestRefresh(secretName: string, staleToken: string | null): Promise<RefreshOutcome> {
    try {
      const out = await this.options.client.send(
        new InvokeCommand({
          FunctionName: this.options.functionName,
          InvocationType: "RequestResponse",
          Payload: Buffer.from(JSON.stringify({ action: "refresh", secretName, staleToken })),
        }),
      );
      const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
      if (out.FunctionError)
        throw new UpstreamUnavailableError("aws", `token refresher failed (${out.FunctionError})`);
      return OutcomeSchema.parse(JSON.parse(text));
    } catch (error) {
      if (!(error instanceof TooManyRequestsException)) throw error;
      return this.waitForOthers(secretName, staleToken);
    }
  }

  private async waitForOthers(secretName: string, staleToken: string | null): Promise<RefreshOutcome> {
    const clock = this.options.clock ?? systemClock;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = clock.now() + (this.options.waitMs ?? 5_000);
    while (clock.now() < deadline) {
      await sleep(250);
      const conn = parseConnection(
        (await this.options.secrets.get(secretName, { fresh: true })).value,
        secretName,
      );
      if (conn.status === "broken") return { outcome: "broken", reason: conn.brokenReason ?? "broken" };
      if (
        conn.accessToken !== null &&
        conn.accessToken !== staleToken &&
        (conn.accessTokenExpiresAt ?? 0) > clock.now()
      ) {
        return { outcome: "fresh", expiresAt: conn.accessTokenExpiresAt };
      }
    }
    return { outcome: "throttled", retryAfterMs: 5_000 };
  }
}

/**
 * Ingest latency: the real ingest handler in-process (webhook secret from the Secrets Manager emulator, cached as
 * in Lambda; messages into the SQS emulator), measured in the same run as a bare SendMessage to the same queue,
 * the floor this design cannot beat. Also the minified bundle size of the ingest function (AWS SDK excluded, as
 * the nodejs22.x runtime provides it).
 */

import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import { buildHandler } from "../functions/ingest/handler.js";
import { WORKER_ONLY_MODULES } from "../infra/config/bundling.js";
import { startSecretsManager } from "../infra/local/secrets-manager/server.js";
import { startSqs } from "../infra/local/sqs.js";
import { SecretsManagerStore } from "../shared/adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../shared/adapters/sqs/sqs-client.js";
import { SqsQueue } from "../shared/adapters/sqs/sqs-queue.js";
import { DEFAULT_CONNECTION } from "../shared/config/stage.js";
import { webhookSecretName } from "../shared/domain/zoho-connection.js";
import { webhookSecretsLoader } from "../shared/lambda/deps/ingest-deps.js";
import { createLogger } from "../shared/observability/logger.js";
import { systemClock } from "../shared/ports/clock.js";
import { LAMBDA_BUNDLE } from "./bundle-options.js";

const WEBHOOK_SECRET = webhookSecretName("bench");

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number) => Math.round(n * 1000) / 1000;

async function bundleBytes(): Promise<number> {
  const out = await build({
    entryPoints: ["functions/ingest/handler.ts"],
    ...LAMBDA_BUNDLE,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    // As the CDK bundles it: the AWS SDK from the runtime, the worker-only packages never loaded.
    external: ["@aws-sdk/*", ...WORKER_ONLY_MODULES],
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
}

export async function run(): Promise<Record<string, unknown>> {
  const requests = Number(process.env.BENCH_REQUESTS ?? 2_000);
  const sqsEmu = await startSqs();
  const secretsEmu = await startSecretsManager();
  const sqs = createSqsClient({
    endpoint: sqsEmu.url,
    region: "us-east-1",
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });
  const sm = new SecretsManagerClient({
    endpoint: secretsEmu.url,
    region: "us-east-1",
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });
  try {
    const token = "bench-token-0123456789abcdef";
    await sm.send(
      new CreateSecretCommand({
        Name: WEBHOOK_SECRET,
        SecretString: JSON.stringify({ token, hmacKeys: [], notificationTokens: [] }),
      }),
    );
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-work" }))).QueueUrl as string;
    const handler = buildHandler({
      queue: new SqsQueue(sqs, queueUrl),
      webhookSecrets: webhookSecretsLoader(new SecretsManagerStore({ client: sm }), WEBHOOK_SECRET),
      connections: [DEFAULT_CONNECTION],
      loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
      clock: systemClock,
      logger: createLogger("ingest"),
    });
    const event = (i: number) => ({
      rawPath: "/v1/hooks/crm/lead-enrichment",
      headers: { "content-type": "application/json", "x-mediator-token": token },
      body: JSON.stringify({
        module: "Leads",
        id: String(5545974000001000000n + BigInt(i)),
        modified_time: "2026-11-25T10:15:02+05:30",
        email: "lead@example.com",
        Company: "Société Générale",
      }),
      requestContext: { http: { method: "POST" }, stage: "$default" },
    });
    const body = event(0).body;

    // Warm both paths (JIT, connection pool, the cached webhook secret), then alternate them so drift hits both.
    for (let i = 0; i < 200; i++) {
      await handler(event(i));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const ingest: number[] = [];
    const send: number[] = [];
    let failures = 0;
    for (let i = 0; i < requests; i++) {
      let t = performance.now();
      const res = await handler(event(i));
      ingest.push(performance.now() - t);
      if (res.statusCode !== 202) failures += 1;
      t = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      send.push(performance.now() - t);
      if (i % 500 === 0) await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    }
    ingest.sort((a, b) => a - b);
    send.sort((a, b) => a - b);
    const p50 = percentile(ingest, 50);
    const sendP50 = percentile(send, 50);
    return {
      requests,
      p50_ms: round(p50),
      p99_ms: round(percentile(ingest, 99)),
      sendmessage_p50_ms: round(sendP50),
      sendmessage_p99_ms: round(percentile(send, 99)),
      ratio_p50: round(p50 / sendP50),
      bundle_bytes: await bundleBytes(),
      failures,
    };
  } finally {
    sqs.destroy();
    sm.destroy();
    await sqsEmu.close();
    await secretsEmu.close();
  }
}

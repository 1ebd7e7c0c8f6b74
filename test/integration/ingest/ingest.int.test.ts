/**
 * The ingest handler with its real adapters: webhook secrets from the Secrets Manager emulator, messages into the
 * SQS emulator, behind the local API router, fed by the Zoho sandbox's own workflow and Desk webhooks.
 */
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildHandler } from "../../../functions/ingest/handler.js";
import type { RunningServer } from "../../../infra/local/http.js";
import { startLocalApi } from "../../../infra/local/router.js";
import {
  type SecretsManagerEmulator,
  startSecretsManager,
} from "../../../infra/local/secrets-manager/server.js";
import { type SqsEmulator, startSqs } from "../../../infra/local/sqs.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { SecretsManagerStore } from "../../../shared/adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../../../shared/adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../../shared/adapters/sqs/sqs-queue.js";
import { webhookSecretsLoader } from "../../../shared/lambda/deps/ingest-deps.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { systemClock } from "../../../shared/ports/clock.js";
import { WorkMessageSchema } from "../../../shared/schemas/work-message.js";
import { fixture, SECRETS } from "../../helpers/ingest.js";
import { eventually } from "../../helpers/zoho.js";

let sqsEmu: SqsEmulator;
let secretsEmu: SecretsManagerEmulator;
let sandbox: ZohoSandbox;
let api: RunningServer;
let sqs: SQSClient;
let sm: SecretsManagerClient;
let queueUrl: string;

beforeAll(async () => {
  sqsEmu = await startSqs();
  secretsEmu = await startSecretsManager();
  sqs = createSqsClient({ endpoint: sqsEmu.url, region: "us-east-1" });
  sm = new SecretsManagerClient({ endpoint: secretsEmu.url, region: "us-east-1" });
  await sm.send(
    new CreateSecretCommand({
      Name: "zoho-gpt-mediator/test/webhooks",
      SecretString: JSON.stringify(SECRETS),
    }),
  );
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "work" }))).QueueUrl as string;
  const handler = buildHandler({
    queue: new SqsQueue(sqs, queueUrl),
    webhookSecrets: webhookSecretsLoader(
      new SecretsManagerStore({ client: sm }),
      "zoho-gpt-mediator/test/webhooks",
    ),
    connections: ["default"],
    loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
    clock: systemClock,
    logger: createLogger("ingest"),
  });
  api = await startLocalApi([{ prefix: "/v1/hooks/", handler }]);
  sandbox = await startZohoSandbox();
});
beforeEach(() => sandbox.reset());
afterAll(async () => {
  sqs.destroy();
  sm.destroy();
  await api.close();
  await sandbox.close();
  await sqsEmu.close();
  await secretsEmu.close();
});

const drain = async () => {
  const got = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      WaitTimeSeconds: 1,
    }),
  );
  return got.Messages ?? [];
};

describe("ingest through the SQS emulator", () => {
  it("writes the message body and attributes the worker will read", async () => {
    const res = await fetch(`${api.url}/v1/hooks/desk?token=${SECRETS.token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: fixture("desk-events.json"),
    });
    const messages = await drain();

    expect(res.status).toBe(200);
    expect(messages).toHaveLength(1);
    const first = WorkMessageSchema.parse(JSON.parse(messages[0]?.Body ?? ""));
    expect(first).toMatchObject({
      v: 1,
      useCase: "ticket-triage",
      source: "desk-webhook",
      connection: "default",
      subject: { service: "desk", module: "tickets", id: "5545974000001000086" },
    });
    expect(messages[0]?.MessageAttributes).toEqual({
      useCase: { DataType: "String", StringValue: "ticket-triage" },
      connection: { DataType: "String", StringValue: "default" },
      source: { DataType: "String", StringValue: "desk-webhook" },
      dedupKey: { DataType: "String", StringValue: first.dedupKey },
      schemaVersion: { DataType: "Number", StringValue: "1" },
    });
  });

  it("receives the Zoho sandbox's real workflow and Desk webhooks and queues their work", async () => {
    sandbox.connectHooks(api.url, SECRETS.token);
    const lead = (await (
      await fetch(
        `${sandbox.url}/_sandbox/records/Leads/${sandbox.state.crm.table("Leads").keys().next().value}`,
      )
    ).json()) as { id: string };

    await fetch(`${sandbox.url}/_sandbox/crm/Leads/${lead.id}`, {
      method: "PUT",
      body: JSON.stringify({ Description: "Asked for a quote for 250 seats." }),
    });
    const ticket = (await (
      await fetch(`${sandbox.url}/_sandbox/desk/tickets`, {
        method: "POST",
        body: JSON.stringify({ subject: "Refund", description: "Charged twice.", email: "c@example.com" }),
      })
    ).json()) as { id: string };
    await sandbox.settle();
    const messages: { useCase: string; subject: { id: string } | null }[] = [];
    await eventually(async () => {
      messages.push(...(await drain()).map((m) => WorkMessageSchema.parse(JSON.parse(m.Body ?? ""))));
      expect(messages.length).toBeGreaterThanOrEqual(2);
    }, 5_000);

    expect(sandbox.inspect().webhook_failures).toEqual([]);
    expect(messages.map((m) => [m.useCase, m.subject?.id])).toEqual(
      expect.arrayContaining([
        ["lead-enrichment", lead.id],
        ["ticket-triage", ticket.id],
      ]),
    );
  });

  it("answers Desk's registration check, so a Desk webhook can be created for it", async () => {
    const res = await fetch(`${api.url}/v1/hooks/desk?token=${SECRETS.token}`);

    expect([res.status, await res.text()]).toEqual([200, "OK"]);
  });

  it("answers 401 through the router, and queues nothing", async () => {
    const res = await fetch(`${api.url}/v1/hooks/crm/lead-enrichment`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: fixture("crm-lead-workflow.json"),
    });

    expect(res.status).toBe(401);
    expect(await drain()).toHaveLength(0);
  });
});

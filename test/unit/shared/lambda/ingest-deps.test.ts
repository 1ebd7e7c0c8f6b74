import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { DynamoRateCounter } from "../../../../shared/adapters/dynamodb/rate-counter.js";
import { SqsQueue } from "../../../../shared/adapters/sqs/sqs-queue.js";
import { IngestEnvSchema } from "../../../../shared/config/ingest-env.js";
import { ConfigError } from "../../../../shared/errors.js";
import { createIngestDeps } from "../../../../shared/lambda/deps/ingest-deps.js";
import { USE_CASE_CATALOG } from "../../../../shared/use-cases/catalog.js";
import { FakeQueue } from "../../../helpers/ingest.js";

const env = (over: Record<string, string> = {}) =>
  IngestEnvSchema.parse({
    WORK_QUEUE_URL: "http://127.0.0.1:1/000000000000/work",
    WEBHOOK_SECRET_NAME: "zoho-gpt-mediator/dev/webhooks",
    ZOHO_CONNECTIONS: "default,emea",
    LOOP_GUARD_CRM_USERS: "Mediator Integration",
    LOOP_GUARD_CRM_FIELDS: "AI_Score",
    LOOP_GUARD_DESK_ACTORS: "",
    INGEST_CALLER_BURST: "7",
    ...over,
  });
const clients: { destroy(): void }[] = [];
const client = <T extends { destroy(): void }>(c: T): T => {
  clients.push(c);
  return c;
};
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe("createIngestDeps (the one ingest wiring, for AWS and the local stack)", () => {
  it("builds the ingest's dependencies from its parsed environment and SDK clients", () => {
    const deps = createIngestDeps(env(), {
      sqs: client(new SQSClient({ region: "us-east-1" })),
      secretsManager: client(new SecretsManagerClient({ region: "us-east-1" })),
    });

    expect(deps.queue).toBeInstanceOf(SqsQueue);
    expect(deps.connections).toEqual(["default", "emea"]);
    expect(deps.loopGuard).toEqual({
      crmIntegrationUsers: ["Mediator Integration"],
      crmMediatorFields: ["AI_Score"],
      deskIntegrationActors: [],
    });
    expect(deps.limits?.caller.capacity).toBe(7);
    expect(deps.sharedCounter).toBeUndefined();
  });

  it("counts across containers in DynamoDB when INGEST_RATE_TABLE is set, and refuses to start without a client", () => {
    const over = { INGEST_RATE_TABLE: "rate" };
    const base = {
      sqs: client(new SQSClient({ region: "us-east-1" })),
      secretsManager: client(new SecretsManagerClient({ region: "us-east-1" })),
    };

    const deps = createIngestDeps(env(over), {
      ...base,
      dynamodb: client(new DynamoDBClient({ region: "us-east-1" })),
    });

    expect(deps.sharedCounter).toBeInstanceOf(DynamoRateCounter);
    expect(() => createIngestDeps(env(over), base)).toThrow(ConfigError);
  });

  it("takes the local stack's queue decorator and the catalog in use", () => {
    const journal = new FakeQueue();
    const catalog = USE_CASE_CATALOG.slice(0, 1);

    const deps = createIngestDeps(
      env(),
      {
        sqs: client(new SQSClient({ region: "us-east-1" })),
        secretsManager: client(new SecretsManagerClient({ region: "us-east-1" })),
      },
      { decorateQueue: () => journal, catalog },
    );

    expect(deps.queue).toBe(journal);
    expect((deps as { catalog?: unknown }).catalog).toBe(catalog);
  });
});

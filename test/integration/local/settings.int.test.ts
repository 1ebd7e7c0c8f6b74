import { readFileSync } from "node:fs";
import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FREE_PORTS, LocalEnvSchema, type LocalStack, startLocalStack } from "../../../infra/local/stack.js";
import { IngestEnvSchema } from "../../../shared/config/ingest-env.js";
import { NotificationChannelsEnvSchema } from "../../../shared/config/notification-channels-env.js";
import { RefresherEnvSchema } from "../../../shared/config/refresher-env.js";
import { WorkerEnvSchema } from "../../../shared/config/worker-env.js";
import { DEFAULT_MODEL_PRICES } from "../../../shared/domain/model-prices.js";
import { post, until } from "../../helpers/local-stack.js";

type Lambda = "worker" | "ingest" | "refresher" | "notifications";

/** One value per setting, as a user would export it before `npm start`, and what the Lambda's parser makes of it. */
const SETTINGS: Record<string, { lambda: Lambda; value: string; parsed: unknown }> = {
  MODEL: { lambda: "worker", value: "gpt-settings-test", parsed: "gpt-settings-test" },
  MODEL_OVERRIDES: {
    lambda: "worker",
    value: '{"ticket-triage":"gpt-x"}',
    parsed: { "ticket-triage": "gpt-x" },
  },
  OPENAI_SECRET_NAME: { lambda: "worker", value: "local/openai", parsed: "local/openai" },
  OPENAI_BASE_URL: { lambda: "worker", value: "http://127.0.0.1:9/v1", parsed: "http://127.0.0.1:9/v1" },
  MODEL_TIMEOUT_MS: { lambda: "worker", value: "11345", parsed: 11345 },
  MODEL_CONCURRENCY: { lambda: "worker", value: "6", parsed: 6 },
  ZOHO_CONCURRENCY: { lambda: "worker", value: "3", parsed: 3 },
  WAVE_SIZE: { lambda: "worker", value: "40", parsed: 40 },
  LEASE_SECONDS: { lambda: "worker", value: "600", parsed: 600 },
  TRIGGER_FIELDS_MAX_AGE_SECONDS: { lambda: "worker", value: "90", parsed: 90 },
  MAX_RECEIVE_COUNT: { lambda: "worker", value: "7", parsed: 7 },
  RETRY_BASE_MS: { lambda: "worker", value: "250", parsed: 250 },
  RECORD_WRITE_CAP: { lambda: "worker", value: "9", parsed: 9 },
  TOKEN_BUDGET_PER_DAY: {
    lambda: "worker",
    value: '{"lead-enrichment": 500000}',
    parsed: '{"lead-enrichment": 500000}',
  },
  CREDITS_LOW_WATER: { lambda: "worker", value: "42", parsed: 42 },
  MAX_DEFERRALS: { lambda: "worker", value: "11", parsed: 11 },
  AUDIT_MODE: { lambda: "worker", value: "field", parsed: "field" },
  AUDIT_FIELD: { lambda: "worker", value: "My_Audit", parsed: "My_Audit" },
  QUARANTINE_NOTE: { lambda: "worker", value: "false", parsed: false },
  DESK_SEND_REPLIES: { lambda: "worker", value: "true", parsed: true },
  DESK_FROM_ADDRESS: { lambda: "worker", value: "help@settings.example", parsed: "help@settings.example" },
  LEAD_FIELD_MAP: {
    lambda: "worker",
    value: '{"score":"Lead_Score__c"}',
    parsed: { score: "Lead_Score__c" },
  },
  TICKET_FIELD_MAP: {
    lambda: "worker",
    value: '{"summary":"cf_ticket_digest"}',
    parsed: { summary: "cf_ticket_digest" },
  },
  WAIT_RECHECK_SECONDS: { lambda: "worker", value: "45", parsed: 45 },
  MODEL_PRICES: {
    lambda: "worker",
    value: '{"gpt-4o-mini":{"prompt":1,"completion":2}}',
    // Over the dated default table (issue 13): a configured model replaces its default price.
    parsed: { ...DEFAULT_MODEL_PRICES, "gpt-4o-mini": { prompt: 1, completion: 2 } },
  },
  LEDGER_RETENTION_DAYS: { lambda: "worker", value: "30", parsed: 30 },
  LOOP_GUARD_CRM_USERS: { lambda: "ingest", value: "111,222", parsed: ["111", "222"] },
  LOOP_GUARD_CRM_FIELDS: { lambda: "ingest", value: "AI_Score", parsed: ["AI_Score"] },
  LOOP_GUARD_DESK_ACTORS: { lambda: "ingest", value: "333", parsed: ["333"] },
  WEBHOOK_SECRET_TTL_SECONDS: { lambda: "ingest", value: "17", parsed: 17 },
  INGEST_CALLER_BURST: { lambda: "ingest", value: "123", parsed: 123 },
  INGEST_CALLER_PER_SECOND: { lambda: "ingest", value: "7", parsed: 7 },
  INGEST_RECORD_BURST: { lambda: "ingest", value: "4", parsed: 4 },
  INGEST_RECORD_PER_MINUTE: { lambda: "ingest", value: "3", parsed: 3 },
  REFRESH_AHEAD_SECONDS: { lambda: "refresher", value: "999", parsed: 999 },
  REFRESH_GUARD_MAX: { lambda: "refresher", value: "6", parsed: 6 },
  ZOHO_HTTP_TIMEOUT_MS: { lambda: "refresher", value: "4321", parsed: 4321 },
  NOTIFICATION_EVENTS: {
    lambda: "notifications",
    value: "Leads.create,Deals.all",
    parsed: ["Leads.create", "Deals.all"],
  },
  NOTIFICATION_CHANNEL_TTL_MINUTES: { lambda: "notifications", value: "600", parsed: 600 },
  NOTIFICATION_RENEW_MARGIN_MINUTES: { lambda: "notifications", value: "100", parsed: 100 },
  NOTIFICATION_TOKEN_PROPAGATION_SECONDS: { lambda: "notifications", value: "3", parsed: 3 },
  NOTIFICATION_CHANNEL_SEED: { lambda: "notifications", value: "seed-1", parsed: "seed-1" },
};

/** Keys the local stack wires itself (queue URLs, table and secret names): not user settings. */
const WIRED = new Set([
  // The shared rate counter's table: deployed only; the local stack is one process, its buckets are the limit.
  "INGEST_RATE_TABLE",
  "WORK_QUEUE_URL",
  "DEAD_LETTER_QUEUE_URL",
  "JOBS_TABLE",
  "LEDGER_TABLE",
  "ZOHO_CONNECTION_SECRETS",
  "REFRESHER_FUNCTION_NAME",
  "WEBHOOK_SECRET_NAME",
  "ZOHO_CONNECTIONS",
  "NOTIFY_URL",
]);

/** Setting names in the README's settings tables (first column, in backticks). */
function readmeSettings(): string[] {
  const readme = readFileSync("README.md", "utf8");
  const names = new Set<string>();
  for (const heading of ["### Worker settings", "### Settings of the other functions"]) {
    const start = readme.indexOf(heading);
    expect(start, `README section "${heading}"`).toBeGreaterThan(0);
    const table = readme.slice(start).split("\n\n")[1] ?? "";
    for (const row of table.split("\n").slice(2))
      for (const m of (row.split("|")[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1] as string);
  }
  return [...names];
}

describe("the local stack honours every documented setting", () => {
  let stack: LocalStack;
  const events: string[] = [];

  beforeAll(async () => {
    const env = LocalEnvSchema.parse({
      ...FREE_PORTS,
      ...Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, v.value])),
    });
    stack = await startLocalStack(env, { notificationsTimer: false, onEvent: (l) => events.push(l) });
  }, 60_000);
  afterAll(() => stack?.stop());

  it("covers every setting the README documents and every key the Lambdas' schemas define", () => {
    const documented = readmeSettings();
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((k) => !(k in SETTINGS))).toEqual([]);
    const schemaKeys = [
      WorkerEnvSchema,
      IngestEnvSchema,
      RefresherEnvSchema,
      NotificationChannelsEnvSchema,
    ].flatMap((s) => Object.keys(s.shape));
    expect(schemaKeys.filter((k) => !WIRED.has(k) && !(k in SETTINGS))).toEqual([]);
  });

  it.each(Object.entries(SETTINGS))("%s reaches its Lambda's parser", (key, { lambda, parsed }) => {
    const config = stack.config[lambda] as Record<string, unknown> | undefined;
    expect(config, `${lambda} config`).toBeDefined();
    expect(config?.[key]).toEqual(parsed);
  });

  it("takes effect: the queue redrives after MAX_RECEIVE_COUNT receives", async () => {
    const attrs = await stack.sqsClient.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.queues.workUrl, AttributeNames: ["RedrivePolicy"] }),
    );
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? "{}").maxReceiveCount).toBe(7);
  });

  it("takes effect: LOOP_GUARD_CRM_USERS drops the mediator's own CRM edits at ingest", async () => {
    const res = await post(
      stack.hooks.crm,
      JSON.stringify({ module: "Leads", id: "5545974000000000001", modified_by: "222" }),
      { "x-mediator-token": stack.webhookToken },
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 0, ignored: 1 });
  });

  it("answers GET /v1/health as deployed, and only GET", async () => {
    const res = await fetch(`${stack.api?.url}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", service: "zoho-gpt-mediator" });
    expect((await fetch(`${stack.api?.url}/v1/health`, { method: "POST" })).status).toBe(404);
  });

  it("prints the dead-letter count and lists dead letters with their reasons without consuming them", async () => {
    expect(events).toContain("dead letters: 0");
    await stack.sqsClient.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.deadLetterUrl,
        MessageBody: JSON.stringify({ v: 1, jobId: "job-1" }),
        MessageAttributes: {
          reason: { DataType: "String", StringValue: "quarantined: AI_Score out of range" },
        },
      }),
    );
    const list = async () =>
      (await (await fetch(`${stack.api?.url}/_local/dead-letters`)).json()) as {
        count: number;
        deadLetters: { reason: string; body: unknown }[];
      };
    const first = await list();
    const second = await list();
    expect(first.count).toBe(1);
    expect(first.deadLetters[0]).toMatchObject({
      reason: "quarantined: AI_Score out of range",
      body: { jobId: "job-1" },
    });
    expect(second.count).toBe(1);
    await until(() => {
      expect(events.some((e) => e.startsWith("dead letters: 1"))).toBe(true);
    }, 5_000);
  });
});

describe("worker settings by environment change what the worker does", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    const env = LocalEnvSchema.parse({
      ...FREE_PORTS,
      DESK_SEND_REPLIES: "true",
      DESK_FROM_ADDRESS: "help@settings.example",
      RETRY_BASE_MS: "100",
    });
    stack = await startLocalStack(env, { notificationsTimer: false });
    // Desk sends only from one of the org's active reply addresses: the admin adds the configured one.
    const desk = stack.sandbox?.state.desk;
    const first = desk?.mailReplyAddresses[0];
    if (!desk || !first) throw new Error("the sandbox has no Desk reply address to copy");
    desk.mailReplyAddresses.push({
      ...first,
      id: "9000000000000000001",
      address: "help@settings.example",
      isDefault: false,
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it("DESK_SEND_REPLIES and DESK_FROM_ADDRESS: the reply is sent, from the configured address", async () => {
    const created = (await (
      await fetch(`${stack.sandbox?.url}/_sandbox/desk/tickets`, {
        method: "POST",
        body: JSON.stringify({
          subject: "Refund please",
          description: "I was charged twice for my invoice. Please refund the duplicate charge.",
          email: "settings@example.com",
        }),
      })
    ).json()) as { id: string };
    await until(async () => {
      const view = (await (
        await fetch(`${stack.sandbox?.url}/_sandbox/desk/tickets/${created.id}`)
      ).json()) as {
        threads: { status: string; direction: string; fromEmailAddress: string }[];
      };
      const sent = view.threads.filter((t) => t.direction === "out" && t.status !== "DRAFT");
      expect(sent).toHaveLength(1);
      expect(sent[0]?.fromEmailAddress).toBe("help@settings.example");
    }, 20_000);
  });
});

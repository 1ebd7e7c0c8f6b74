/** The whole local stack for end-to-end tests: every port free, retry waits short, helpers to watch outcomes. */
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach } from "vitest";
import {
  FREE_PORTS,
  LocalEnvSchema,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from "../../infra/local/stack.js";
import { findModule } from "../../infra/local/zoho-sandbox/metadata.js";
import { eventually } from "./zoho.js";

export async function startTestStack(
  options: LocalStackOptions & { env?: Record<string, string> } = {},
): Promise<LocalStack & { events: string[] }> {
  const events: string[] = [];
  const env = LocalEnvSchema.parse({
    ...FREE_PORTS,
    WORKER_CONCURRENCY: "2",
    ...e2eProfile(),
    ...options.env,
  });
  const stack = await startLocalStack(env, {
    ...options,
    worker: { RETRY_BASE_MS: "100", ...options.worker },
    workerExtras: {
      sleep: () => Promise.resolve(),
      zohoRetry: { rateLimitRetryAfterMs: 200 },
      ...options.workerExtras,
    },
    onEvent: (line) => events.push(line),
  });
  return Object.assign(stack, { events });
}

/** Everything on the dead-letter queue, with the reason attribute the worker put there. */
export async function deadLetters(
  stack: LocalStack,
): Promise<{ body: string; reason: string | undefined }[]> {
  const out: { body: string; reason: string | undefined }[] = [];
  for (;;) {
    const got = await stack.sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues.deadLetterUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (!got.Messages?.length) return out;
    out.push(
      ...got.Messages.map((m) => ({ body: m.Body ?? "", reason: m.MessageAttributes?.reason?.StringValue })),
    );
  }
}

/** Waits until at least `n` dead letters arrived (the worker sends them right after deciding), and returns them. */
export async function deadLettersAtLeast(
  stack: LocalStack,
  n: number,
  ms = 15_000,
): Promise<{ body: string; reason: string | undefined }[]> {
  const seen: { body: string; reason: string | undefined }[] = [];
  await eventually(async () => {
    seen.push(...(await deadLetters(stack)));
    if (seen.length < n) throw new Error(`only ${seen.length} of ${n} dead letters so far`);
  }, ms);
  return seen;
}

export const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** Waits until `check` holds (the pipeline is asynchronous); the same helper the sandbox tests use. */
export const until = (check: () => void | Promise<void>, ms = 15_000) => eventually(check, ms);

type Write = {
  module: string;
  operation: string;
  ids: string[];
  source: string;
  trigger: string[] | null;
  fields: string[][];
};

/** The mediator's (API) writes to one lead the sandbox recorded. */
export const leadWrites = (stack: LocalStack, id: string): Write[] =>
  ((stack.sandbox?.inspect().writes ?? []) as Write[]).filter(
    (w) => w.source === "api" && w.module === "Leads" && w.ids.includes(id),
  );

export const seededLeadIds = (stack: LocalStack): string[] => [
  ...(stack.sandbox?.state.crm.table("Leads").keys() ?? []),
];

/** Fires the CRM workflow webhook for a lead, as Zoho's workflow rule would after edit `n`. */
export const triggerLead = (stack: LocalStack, id: string, n = 0) =>
  post(
    stack.hooks.crm,
    JSON.stringify({ module: "Leads", id, modified_time: `2026-11-25T10:0${n}:00+00:00` }),
    { "x-mediator-token": stack.webhookToken },
  );

type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/**
 * A fresh local stack per test (each test sets its own worker settings), stopped after each test, with the
 * lead helpers bound to it.
 */
export function stackPerTest() {
  let current: TestStack | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const get = (): TestStack => {
    if (!current) throw new Error("start the stack first");
    return current;
  };
  return {
    start: async (options: Parameters<typeof startTestStack>[0] = {}) => {
      current = await startTestStack(options);
      return current;
    },
    get,
    writesFor: (id: string) => leadWrites(get(), id),
    leadIds: () => seededLeadIds(get()),
    trigger: (id: string, n = 0) => triggerLead(get(), id, n),
  };
}

/**
 * What the connected org offers, read from the sandbox's own metadata, so end-to-end assertions hold on any seed
 * profile (`ZOHO_SANDBOX_PROFILE=demo|alt`): a test never names a picklist value or a field the org configures.
 */
export const org = (stack: LocalStack) => {
  const sandbox = stack.sandbox;
  if (!sandbox) throw new Error("the stack runs no Zoho sandbox");
  const crmField = (module: string, field: string) =>
    findModule(sandbox.state.crm.modules, module)?.fields.find((f) => f.api_name === field);
  return {
    profile: sandbox.demo().profile,
    /** A CRM picklist's values without "-None-" (empty when the org lacks the field). */
    crmPicklist: (module: string, field: string): string[] =>
      (crmField(module, field)?.pick_list_values ?? [])
        .map((v) => v.actual_value)
        .filter((v) => v !== "-None-"),
    hasCrmField: (module: string, field: string): boolean => crmField(module, field) !== undefined,
    /** A Desk ticket picklist's values, as `organizationFields` serves them. */
    deskPicklist: (apiName: string): string[] =>
      sandbox.state.desk.ticketFields
        .find((f) => f.apiName === apiName)
        ?.allowedValues?.map((v) => v.value) ?? [],
    /** The org's default active Desk reply address (what the worker sends drafts from without DESK_FROM_ADDRESS). */
    deskReplyAddress: (): string => {
      const active = sandbox.state.desk.mailReplyAddresses.filter((a) => a.isActive);
      const chosen = active.find((a) => a.isDefault) ?? active[0];
      if (!chosen) throw new Error("the org has no active Desk reply address");
      return chosen.address;
    },
  };
};

/**
 * The sandbox profile end-to-end tests run against: `ZOHO_SANDBOX_PROFILE` (the `e2e-alt` test project sets `alt`),
 * else the demo org. Nothing else changes between profiles.
 */
export const e2eProfile = (): Record<string, string> =>
  process.env.ZOHO_SANDBOX_PROFILE ? { ZOHO_SANDBOX_PROFILE: process.env.ZOHO_SANDBOX_PROFILE } : {};

/**
 * The deploy configuration: `config/<stage>.json` plus `-c` overrides, through the loader `infra/app.ts` uses, reaches
 * the template exactly; `infra/app.ts` itself, run as the cdk CLI runs it, synthesises a stage from its file and
 * refuses a bad one with one line per problem; every function setting is reachable from the config.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { DeployConfigError, loadDeployConfig } from "../../infra/config/deploy-config.js";
import {
  INGEST_SETTINGS,
  NOTIFICATION_SETTINGS,
  REFRESHER_SETTINGS,
  type Stage,
} from "../../infra/config/stages.js";
import { workerBatchProblems } from "../../infra/config/worker-limits.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";
import { IngestEnvSchema } from "../../shared/config/ingest-env.js";
import { NotificationChannelsEnvSchema } from "../../shared/config/notification-channels-env.js";
import { RefresherEnvSchema } from "../../shared/config/refresher-env.js";
import { ToolsEnvSchema } from "../../shared/config/tools-env.js";
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";

/** cdk.json's context: the recommended feature flags the CLI passes to every synth. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync("cdk.json", "utf8")) as { context: Record<string, unknown> }
).context;
const dir = mkdtempSync(join(tmpdir(), "deploy-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROD = {
  region: "eu-west-1",
  connections: ["acme", "beta"],
  logRetentionDays: 90,
  model: "gpt-4.1-mini",
  ledger: { retentionDays: 730 },
  prices: { "gpt-4.1-mini": { prompt: 400_000, completion: 1_600_000 } },
  alarms: { email: "ops@acme.example" },
  zohoHttpTimeoutMs: 7000,
  notifications: { events: ["Leads.create"] },
};
writeFileSync(join(dir, "prod.json"), JSON.stringify(PROD));

type Fn = { Properties: { Environment?: { Variables: Record<string, string> }; FunctionName?: unknown } };
const synth = (stage: Stage) => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  return Template.fromStack(new MediatorStack(app, "Cfg", { stage, env: { region: stage.region } }));
};
/** Each function's environment, by the construct id its logical id starts with. */
const envOf = (template: Template, prefix: string): Record<string, string> => {
  const found = Object.entries(template.findResources("AWS::Lambda::Function")).find(([id]) =>
    id.startsWith(prefix),
  );
  if (!found) throw new Error(`no function ${prefix}`);
  return (found[1] as Fn).Properties.Environment?.Variables ?? {};
};

describe("deploy configuration", () => {
  it("synthesises config/prod.json exactly: two connections, 90-day logs, the model, retention, prices, e-mail", () => {
    const { stage, source } = loadDeployConfig({ context: { stage: "prod" }, env: {}, configDir: dir });
    expect(source).toBe(join(dir, "prod.json"));
    const template = synth(stage);

    const secrets = Object.values(template.findResources("AWS::SecretsManager::Secret")).map(
      (r) => (r as { Properties: { Name?: string } }).Properties.Name,
    );
    expect(secrets.filter((n) => n?.includes("/zoho/")).sort()).toEqual([
      "zoho-gpt-mediator/prod/zoho/acme",
      "zoho-gpt-mediator/prod/zoho/beta",
    ]);
    const retention = Object.values(template.findResources("AWS::Logs::LogGroup")).map(
      (r) => (r as { Properties: { RetentionInDays?: number } }).Properties.RetentionInDays,
    );
    expect(retention.length).toBeGreaterThan(4);
    expect(new Set(retention)).toEqual(new Set([90]));

    const worker = envOf(template, "WorkerFunction");
    expect(worker.MODEL).toBe("gpt-4.1-mini");
    expect(worker.LEDGER_RETENTION_DAYS).toBe("730");
    expect(JSON.parse(worker.MODEL_PRICES ?? "")).toEqual(PROD.prices);
    expect(worker.ZOHO_CONNECTION_SECRETS).toBe(
      "zoho-gpt-mediator/prod/zoho/acme,zoho-gpt-mediator/prod/zoho/beta",
    );
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@acme.example",
    });
    // ZOHO_HTTP_TIMEOUT_MS reaches every function that calls Zoho.
    for (const fn of ["WorkerFunction", "ZohoRefresher", "ToolsFunction", "NotificationsFunction"])
      expect(envOf(template, fn).ZOHO_HTTP_TIMEOUT_MS, fn).toBe("7000");
  });

  it("lets -c override any top-level key over the file (JSON values parsed, objects merged one level)", () => {
    const { stage, source } = loadDeployConfig({
      context: {
        stage: "prod",
        logRetentionDays: "180",
        connections: "acme,gamma",
        ledger: '{"retentionDays":400}',
        workerSettings: { TOKEN_BUDGET_PER_DAY: "10" },
      },
      env: {},
      configDir: dir,
    });
    expect(source).toContain("-c logRetentionDays, connections, ledger, workerSettings");
    expect(stage).toMatchObject({
      logRetentionDays: 180,
      connections: ["acme", "gamma"],
      ledger: { retentionDays: 400 },
      model: "gpt-4.1-mini",
      workerSettings: { TOKEN_BUDGET_PER_DAY: "10" },
    });
  });

  it("refuses unknown keys at every level and names each problem on one line", () => {
    const error = (() => {
      try {
        loadDeployConfig({
          context: {
            stage: "prod",
            logRetentionDays: "31",
            colour: "blue",
            ledger: '{"retentionDays":400,"keep":true}',
            workerSettings: '{"MODEL":"x"}',
            ingestSettings: '{"WEBHOOK_SECRET_TTL":"5"}',
          },
          env: {},
          configDir: dir,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DeployConfigError);
    const problems = (error as DeployConfigError).problems;
    expect(problems).toHaveLength(5);
    for (const line of problems) expect(line).not.toContain("\n");
    expect(problems.join("\n")).toMatch(/colour/);
    expect(problems.join("\n")).toMatch(/keep.*→ at ledger|→ at ledger/);
    expect(problems.join("\n")).toMatch(/set model instead.*workerSettings\.MODEL/);
    expect(problems.join("\n")).toMatch(/ingestSettings\.WEBHOOK_SECRET_TTL/);
    expect(problems.join("\n")).toMatch(/logRetentionDays/);
  });

  it("puts PITR on the jobs and ledger tables", () => {
    const template = synth(loadDeployConfig({ context: {}, env: {} }).stage);
    for (const name of ["zoho-gpt-mediator-dev-jobs", "zoho-gpt-mediator-dev-ledger"])
      template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
        TableName: name,
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      });
  });
});

describe("the worker's event source settings", () => {
  const WORKER_KEYS = [
    "batchSize",
    "batchingWindowSeconds",
    "maxConcurrency",
    "modelConcurrency",
    "zohoConcurrency",
    "timeoutSeconds",
    "modelTimeoutSeconds",
    "zohoConcurrencyLimit",
  ];

  it("reach the template from -c worker: batch, window, concurrency, timeouts, lease and the queue's visibility", () => {
    const { stage } = loadDeployConfig({
      context: {
        // ceil(50 / 10) x 2 x 20 s + 30 s = 230 s <= 240 s; 2 x 3 = 6 <= 10 - 2 Zoho calls.
        worker:
          '{"batchSize":50,"batchingWindowSeconds":5,"maxConcurrency":2,"modelConcurrency":10,"zohoConcurrency":3,"timeoutSeconds":240,"modelTimeoutSeconds":20}',
      },
      env: {},
    });
    const template = synth(stage);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const worker = Object.entries(template.findResources("AWS::Lambda::Function")).find(([id]) =>
      id.startsWith("WorkerFunction"),
    )?.[1] as { Properties: { Timeout: number } };
    expect(worker.Properties.Timeout).toBe(240);
    expect(envOf(template, "WorkerFunction")).toMatchObject({
      MODEL_CONCURRENCY: "10",
      ZOHO_CONCURRENCY: "3",
      MODEL_TIMEOUT_MS: "20000",
      LEASE_SECONDS: "300",
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 6 * 240,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it("has defaults that pass their own bounds, and config/example.json sets every key", () => {
    const { stage } = loadDeployConfig({ context: {}, env: {} });
    expect(workerBatchProblems(stage.worker)).toEqual([]);
    expect(stage.worker.maxConcurrency * stage.worker.zohoConcurrency).toBeLessThanOrEqual(
      stage.worker.zohoConcurrencyLimit - 2,
    );
    const example = JSON.parse(readFileSync("config/example.json", "utf8")) as { worker: object };
    expect(Object.keys(example.worker).sort()).toEqual([...WORKER_KEYS].sort());
    expect(Object.keys(stage.worker).sort()).toEqual([...WORKER_KEYS].sort());
    const loaded = loadDeployConfig({
      context: { stage: "example" },
      env: {},
      readFile: (path) =>
        path.endsWith("example.json") ? readFileSync("config/example.json", "utf8") : undefined,
      configDir: "config",
    });
    expect(loaded.stage.worker).toEqual(example.worker);
  });

  it("refuses MODEL_CONCURRENCY, ZOHO_CONCURRENCY, MODEL_TIMEOUT_MS and LEASE_SECONDS in workerSettings", () => {
    const problems = problemsOf({
      workerSettings:
        '{"MODEL_CONCURRENCY":"3","ZOHO_CONCURRENCY":"1","MODEL_TIMEOUT_MS":"1000","LEASE_SECONDS":"600"}',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toMatch(/set worker\.modelConcurrency instead of MODEL_CONCURRENCY/);
    expect(problems.join("\n")).toMatch(/set worker\.zohoConcurrency instead of ZOHO_CONCURRENCY/);
    expect(problems.join("\n")).toMatch(/set worker\.modelTimeoutSeconds instead of MODEL_TIMEOUT_MS/);
    expect(problems.join("\n")).toMatch(/set worker\.timeoutSeconds .*instead of LEASE_SECONDS/);
  });

  /** Each bound broken alone: the config, and the one line `cdk synth` prints for it. */
  const REFUSALS: [string, Record<string, number>, RegExp][] = [
    [
      "a batch over 10 without a batching window",
      { batchSize: 11, batchingWindowSeconds: 0 },
      /^✖ worker\.batchSize 11 needs worker\.batchingWindowSeconds of at least 1 .* → at worker$/,
    ],
    [
      "a timeout shorter than a full batch",
      // Every call at 30 s would take 270 s; the ask cutoff of a 179 s function (at 90 s) ends it by 180 s.
      { batchSize: 20, modelConcurrency: 5, modelTimeoutSeconds: 30, timeoutSeconds: 179 },
      /^✖ worker\.timeoutSeconds 179 is shorter than a full batch can take \(the ask cutoff at 90 s \+ 2 x 30 s \+ 30 s = 180 s\): raise it to at least 180 or lower worker\.batchSize → at worker$/,
    ],
    [
      "a full batch longer than Lambda's 900 s",
      { batchSize: 20, modelConcurrency: 5, modelTimeoutSeconds: 240, timeoutSeconds: 900 },
      /^✖ a full batch can take the ask cutoff at 450 s \+ 2 x 240 s \+ 30 s = 960 s, more than Lambda's 900 s: lower worker\.batchSize or worker\.modelTimeoutSeconds/,
    ],
    [
      "more Zoho calls than the org's concurrency less 2",
      { maxConcurrency: 5, zohoConcurrency: 2 },
      /^✖ worker\.maxConcurrency x worker\.zohoConcurrency = 5 x 2 = 10 Zoho calls at once, over worker\.zohoConcurrencyLimit 10 - 2 .* = 8: lower one of them → at worker$/,
    ],
  ];

  it.each(REFUSALS)("refuses %s with one line", (_name, worker, line) => {
    const problems = problemsOf({ worker: JSON.stringify(worker) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(line);
  });

  it("lets a bigger org take more Zoho calls: 5 x 2 fits zohoConcurrencyLimit 15", () => {
    expect(
      problemsOf({ worker: '{"maxConcurrency":5,"zohoConcurrency":2,"zohoConcurrencyLimit":15}' }),
    ).toEqual([]);
  });

  function problemsOf(context: Record<string, unknown>): readonly string[] {
    try {
      loadDeployConfig({ context, env: {} });
      return [];
    } catch (error) {
      if (!(error instanceof DeployConfigError)) throw error;
      return error.problems;
    }
  }
});

describe("every function setting is reachable from the config", () => {
  /** A value each setting's own schema accepts, so the walk also proves the config passes it through unchanged. */
  const SAMPLE: Record<string, string> = {
    WEBHOOK_SECRET_TTL_SECONDS: "30",
    INGEST_CALLER_BURST: "111",
    INGEST_CALLER_PER_SECOND: "22",
    INGEST_RECORD_BURST: "7",
    INGEST_RECORD_PER_MINUTE: "9",
    REFRESH_AHEAD_SECONDS: "1700",
    REFRESH_GUARD_MAX: "6",
    NOTIFICATION_TOKEN_PROPAGATION_SECONDS: "70",
    NOTIFICATION_CHANNEL_SEED: "seed-x",
  };
  /** Worker settings the config sets through a typed key, and the value the walk's config gives each. */
  const TYPED = {
    MODEL: "m-1",
    MAX_RECEIVE_COUNT: "6",
    ZOHO_HTTP_TIMEOUT_MS: "7000",
    LEDGER_RETENTION_DAYS: "730",
    MODEL_TIMEOUT_MS: "20000",
    MODEL_CONCURRENCY: "3",
    ZOHO_CONCURRENCY: "1",
    LEASE_SECONDS: "380",
  };
  const stage = loadDeployConfig({
    context: {
      stage: "walk",
      model: "m-1",
      maxReceiveCount: "6",
      zohoHttpTimeoutMs: "7000",
      ledger: '{"retentionDays":730}',
      // ceil(20 / 3) x 2 x 20 s + 30 s = 310 s: the default 300 s timeout would be refused.
      worker: '{"modelTimeoutSeconds":20,"modelConcurrency":3,"zohoConcurrency":1,"timeoutSeconds":320}',
      prices: '{"m-1":{"prompt":1,"completion":2}}',
      notifications: { events: ["Leads.create"], settings: pick(NOTIFICATION_SETTINGS) },
      ingestSettings: pick(INGEST_SETTINGS),
      refresherSettings: pick(REFRESHER_SETTINGS),
      workerSettings: {
        MODEL_OVERRIDES: '{"ticket-triage":"m-2"}',
        OPENAI_BASE_URL: "https://llm.acme.example/v1",
        TRIGGER_FIELDS_MAX_AGE_SECONDS: "90",
        RETRY_BASE_MS: "1000",
        MAX_DEFERRALS: "10",
        RECORD_WRITE_CAP: "2",
        TOKEN_BUDGET_PER_DAY: "5",
        CREDITS_LOW_WATER: "100",
        AUDIT_MODE: "field",
        AUDIT_FIELD: "AI_Trail",
        QUARANTINE_NOTE: "false",
        DESK_SEND_REPLIES: "true",
        DESK_FROM_ADDRESS: "support@acme.example",
        LEAD_FIELD_MAP: '{"icp_fit":"Fit"}',
        TICKET_FIELD_MAP: '{"urgency":"cf_u"}',
        WAIT_RECHECK_SECONDS: "30",
        OPENAI_SECRET_NAME: "other/secret",
      },
      tools: {
        settings: {
          TOOLS_MAX_PAGE_SIZE: "20",
          TOOLS_MAX_TEXT_LENGTH: "500",
          TOOLS_ALLOWED_HOSTS: "api.acme.example",
          TOOLS_PUBLIC_URL: "https://api.acme.example",
          TOOLS_ZOHO_CONCURRENCY: "2",
          CREDITS_LOW_WATER: "100",
        },
      },
    },
    env: {},
  }).stage;
  function pick(keys: readonly string[]): Record<string, string> {
    return Object.fromEntries(keys.map((k) => [k, SAMPLE[k] as string]));
  }
  const template = synth(stage);
  const cases: [string, z.ZodObject, string][] = [
    ["worker", WorkerEnvSchema, "WorkerFunction"],
    ["ingest", IngestEnvSchema, "HooksIngest"],
    ["refresher", RefresherEnvSchema, "ZohoRefresher"],
    ["notification channels", NotificationChannelsEnvSchema, "NotificationsFunction"],
    ["tools", ToolsEnvSchema, "ToolsFunction"],
  ];
  it.each(cases)("every %s setting reaches the function's environment", (_name, schema, fn) => {
    const env = envOf(template, fn);
    const missing = Object.keys(schema.shape).filter((key) => env[key] === undefined);
    expect(missing).toEqual([]);
    // What the config said is what the function gets.
    for (const [key, value] of Object.entries({ ...SAMPLE, ...TYPED }))
      if (key in schema.shape && key in env) expect(env[key], key).toBe(value);
  });
});

describe("infra/app.ts as the cdk CLI runs it", () => {
  const runApp = (context: Record<string, unknown>) => {
    const out = mkdtempSync(join(dir, "out-"));
    const result = spawnSync("node_modules/.bin/tsx", ["infra/app.ts"], {
      encoding: "utf8",
      env: {
        ...process.env,
        CDK_OUTDIR: out,
        // No bundling: the template is what is under test (bundling has its own test in mediator-stack.test.ts).
        // As the CLI gives it: cdk.json's context (the feature flags) under the command line's.
        CDK_CONTEXT_JSON: JSON.stringify({
          ...CDK_JSON_CONTEXT,
          "aws:cdk:bundling-stacks": [],
          ...context,
        }),
      },
    });
    return { ...result, out };
  };

  it("synthesises the stage from its config file with -c overrides, printing the effective config", () => {
    const { status, stderr, out } = runApp({
      stage: "prod",
      config: join(dir, "prod.json"),
      logRetentionDays: "60",
    });
    expect(stderr).toContain(
      `deploy config for stage prod (${join(dir, "prod.json")} + -c logRetentionDays)`,
    );
    expect(stderr).toContain('"model": "gpt-4.1-mini"');
    expect(status).toBe(0);
    const template = Template.fromJSON(
      JSON.parse(readFileSync(join(out, "ZohoGptMediator-prod.template.json"), "utf8")),
    );
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      Name: "zoho-gpt-mediator/prod/zoho/beta",
    });
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 60 });
    expect(envOf(template, "WorkerFunction").MODEL).toBe("gpt-4.1-mini");
  });

  it("prints one line per problem and exits 1 on a bad config, with no stack trace or ZodError dump", () => {
    const { status, stderr, stdout } = runApp({ stage: "Prod_1", colour: "blue", logRetentionDays: "31" });
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^invalid deploy configuration \(defaults \+ -c colour, logRetentionDays\):$/);
    const problems = lines.slice(1);
    expect(problems).toHaveLength(3);
    expect(problems.find((l) => l.includes("→ at name"))).toMatch(/stage name/);
    expect(problems.find((l) => l.includes("colour"))).toBeDefined();
    expect(problems.find((l) => l.includes("→ at logRetentionDays"))).toBeDefined();
    expect(stderr).not.toMatch(/ZodError|\n\s+at |"code":/);
  });

  it("refuses a worker batch that breaks a bound: its line, exit 1, no template", () => {
    const { status, stderr, stdout } = runApp({
      stage: "staging",
      worker: '{"batchSize":40,"timeoutSeconds":150}',
    });
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      "invalid deploy configuration (defaults + -c worker):",
      "  ✖ worker.timeoutSeconds 150 is shorter than a full batch can take (the ask cutoff at 75 s + 2 x 30 s + 30 s = 165 s): raise it to at least 180 or lower worker.batchSize → at worker",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { fieldMapOf, WorkerEnvSchema } from "../../../../shared/config/worker-env.js";
import { ConfigError } from "../../../../shared/errors.js";
import type { UseCaseDescriptor } from "../../../../shared/use-cases/descriptor.js";
import { leadEnrichment } from "../../../../shared/use-cases/lead-enrichment/index.js";

const BASE = {
  WORK_QUEUE_URL: "http://localhost/q",
  DEAD_LETTER_QUEUE_URL: "http://localhost/dlq",
  JOBS_TABLE: "jobs",
  LEDGER_TABLE: "ledger",
  ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/dev/zoho/default",
  REFRESHER_FUNCTION_NAME: "refresher",
};

describe("worker settings for the field mapping", () => {
  it("defaults: no field map overrides, a 20 s re-check, the from address from the org", () => {
    const env = WorkerEnvSchema.parse(BASE);

    expect(env.LEAD_FIELD_MAP).toEqual({});
    expect(env.TICKET_FIELD_MAP).toEqual({});
    expect(env.WAIT_RECHECK_SECONDS).toBe(20);
    expect(env.DESK_FROM_ADDRESS).toBeUndefined();
  });

  it("reads field maps keyed by the use cases' targets", () => {
    const env = WorkerEnvSchema.parse({
      ...BASE,
      LEAD_FIELD_MAP: JSON.stringify({ icp_fit: "Fit_Rating", score: "Lead_Score" }),
      TICKET_FIELD_MAP: JSON.stringify({ urgency: "cf_priority_ai" }),
      WAIT_RECHECK_SECONDS: "30",
      DESK_FROM_ADDRESS: "help@alt-desk.example",
    });

    expect(env.LEAD_FIELD_MAP).toEqual({ icp_fit: "Fit_Rating", score: "Lead_Score" });
    expect(env.TICKET_FIELD_MAP).toEqual({ urgency: "cf_priority_ai" });
    expect(env.WAIT_RECHECK_SECONDS).toBe(30);
  });

  it("refuses an unknown target, a bad from address and a re-check over 5 minutes, naming the setting", () => {
    const fail = (over: Record<string, string>) => {
      const result = WorkerEnvSchema.safeParse({ ...BASE, ...over });
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };

    expect(fail({ TICKET_FIELD_MAP: JSON.stringify({ priority: "cf_x" }) })).toEqual([
      "TICKET_FIELD_MAP: does not fit this setting (unknown key priority)",
    ]);
    expect(fail({ LEAD_FIELD_MAP: "{not json" })).toEqual([
      "LEAD_FIELD_MAP: not valid JSON for this setting",
    ]);
    expect(fail({ DESK_FROM_ADDRESS: "support" })[0]).toMatch(/^DESK_FROM_ADDRESS/);
    expect(fail({ WAIT_RECHECK_SECONDS: "900" })[0]).toMatch(/^WAIT_RECHECK_SECONDS/);
  });
});

describe("a use case's field map, from the variable its mapping names", () => {
  /** A use case added to the catalog, whose field map variable the worker's schema does not know. */
  const withTargets = (keys: string[]): UseCaseDescriptor => ({
    name: "call-summary",
    title: "t",
    service: "crm",
    triggers: {},
    mapping: {
      service: "crm",
      module: "Calls",
      partialOptional: false,
      fieldMapSetting: "CALL_FIELD_MAP",
      targets: keys.map((key) => ({
        key,
        field: `F_${key}`,
        required: false,
        intent: key,
        accepts: ["text"],
      })),
    },
  });

  it("the known settings come parsed from the worker's schema", () => {
    const env = WorkerEnvSchema.parse({ ...BASE, LEAD_FIELD_MAP: JSON.stringify({ score: "Lead_Score" }) });

    expect(fieldMapOf(env, leadEnrichment)).toEqual({ score: "Lead_Score" });
  });

  it("another use case's variable is read from the raw settings and checked against its own targets", () => {
    const env = WorkerEnvSchema.parse(BASE);
    const d = withTargets(["summary"]);

    expect(fieldMapOf(env, d)).toEqual({});
    expect(fieldMapOf(env, d, { CALL_FIELD_MAP: JSON.stringify({ summary: "Call_Summary" }) })).toEqual({
      summary: "Call_Summary",
    });
    expect(() => fieldMapOf(env, d, { CALL_FIELD_MAP: JSON.stringify({ other: "X" }) })).toThrow(ConfigError);
    expect(() => fieldMapOf(env, d, { CALL_FIELD_MAP: JSON.stringify({ other: "X" }) })).toThrow(
      /^CALL_FIELD_MAP: does not fit this setting \(unknown key other\)/,
    );
  });
});

describe("worker settings for model prices", () => {
  it("takes a configured model's cached-input price beside its input and output prices", () => {
    const env = WorkerEnvSchema.parse({
      ...BASE,
      MODEL_PRICES: JSON.stringify({
        "m-cached": { prompt: 400_000, completion: 1_600_000, cachedPrompt: 100_000 },
        "m-plain": { prompt: 1, completion: 2 },
      }),
    });

    expect(env.MODEL_PRICES["m-cached"]).toEqual({
      prompt: 400_000,
      completion: 1_600_000,
      cachedPrompt: 100_000,
    });
    expect(env.MODEL_PRICES["m-plain"]).toEqual({ prompt: 1, completion: 2 });
    expect(() =>
      WorkerEnvSchema.parse({ ...BASE, MODEL_PRICES: '{"m":{"prompt":1,"completion":2,"cachedPrompt":-1}}' }),
    ).toThrow();
  });
});

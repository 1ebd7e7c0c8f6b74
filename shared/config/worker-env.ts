/** Environment of the worker: names, URLs and numbers only, never secrets. Parsed once at cold start. */
import * as z from "zod";
import { mergePrices } from "../domain/model-prices.js";
import { ConfigError } from "../errors.js";
import type { UseCaseDescriptor } from "../use-cases/descriptor.js";
import { LEAD_TARGET_KEYS } from "../use-cases/lead-enrichment/targets.js";
import { TICKET_TARGET_KEYS } from "../use-cases/ticket-triage/targets.js";
import { commaList } from "./env-helpers.js";

const json = <T extends z.ZodType>(schema: T, fallback: z.infer<T>) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return fallback;
      let parsed: unknown;
      try {
        parsed = JSON.parse(s);
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON for this setting" });
        return z.NEVER;
      }
      const result = schema.safeParse(parsed);
      if (result.success) return result.data;
      ctx.addIssue({ code: "custom", message: `does not fit this setting (${issuesOf(result.error)})` });
      return z.NEVER;
    });

/** Names keys and rules (e.g. an unknown target of a field map), never the setting's values. */
const issuesOf = (error: z.ZodError) =>
  error.issues
    .map((i) =>
      i.code === "unrecognized_keys"
        ? `unknown key ${i.keys.join(", ")}`
        : `${i.path.join(".") || "(root)"}: ${i.code}`,
    )
    .join("; ");

/** A use case's field map setting: its target keys to field api names (any other key is refused). */
const fieldMapSchema = (targetKeys: readonly string[]) =>
  z.partialRecord(z.enum(targetKeys as [string, ...string[]]), z.string().min(1));

/** The model the worker asks unless `MODEL` (or the stage's `model`) says otherwise. */
export const DEFAULT_MODEL = "gpt-4o-mini";

export const WorkerEnvSchema = z.object({
  WORK_QUEUE_URL: z.url(),
  DEAD_LETTER_QUEUE_URL: z.url(),
  JOBS_TABLE: z.string().min(1),
  LEDGER_TABLE: z.string().min(1),
  /** Comma-separated connection secret names (`zoho-gpt-mediator/<stage>/zoho/<connection>`). */
  ZOHO_CONNECTION_SECRETS: commaList().refine((l) => l.length > 0, "at least one connection secret"),
  REFRESHER_FUNCTION_NAME: z.string().min(1),
  /** Timeout of each Zoho API call (the stage's `zohoHttpTimeoutMs`, as every function that calls Zoho). */
  ZOHO_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Secret holding `{"apiKey": "..."}` for the model; empty for a keyless OpenAI-compatible server. */
  OPENAI_SECRET_NAME: z.string().default(""),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL: z.string().min(1).default(DEFAULT_MODEL),
  /** `{"ticket-triage": "gpt-4o"}` */
  MODEL_OVERRIDES: json(z.record(z.string(), z.string()), {}),
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
  /** A claim's lease: longer than a batch can take (the stack sets the function timeout + 60 s). */
  LEASE_SECONDS: z.coerce.number().int().min(60).max(3600).default(360),
  /**
   * Model calls at once in one invocation, across all its units and their map calls (chunks, pages): the event
   * source's maximum concurrency x this is the deployment's bound on parallel model calls.
   */
  MODEL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(5),
  /** Units per wave of a batch (one request per stage per wave). @default max(25, 5 x MODEL_CONCURRENCY) */
  WAVE_SIZE: z.coerce.number().int().min(1).max(10_000).optional(),
  /**
   * Zoho calls at once in one invocation: the event source's maximum concurrency x this must stay within the org's
   * concurrency limit (Zoho: 5-25 per client by edition) less what the tool endpoint and refresher use.
   */
  ZOHO_CONCURRENCY: z.coerce.number().int().min(1).max(25).default(2),
  /**
   * A trigger that carries the record's fields (workflow webhook merge fields) is used without reading the record
   * while the message is younger than this and on its first delivery; older or redelivered units re-read it.
   */
  TRIGGER_FIELDS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(2).default(5),
  /** First retry delay in ms; doubles per receive, honours a longer retry-after, capped at 15 minutes. */
  RETRY_BASE_MS: z.coerce.number().int().min(0).default(5_000),
  MAX_DEFERRALS: z.coerce.number().int().min(1).default(96),
  RECORD_WRITE_CAP: z.coerce.number().int().min(1).default(3),
  /** Tokens per use case per day: a number for all, or `{"lead-enrichment": 2000000}`. */
  TOKEN_BUDGET_PER_DAY: z.string().default("2000000"),
  CREDITS_LOW_WATER: z.coerce.number().int().min(0).default(500),
  AUDIT_MODE: z.enum(["note", "field"]).default("note"),
  AUDIT_FIELD: z.string().default("AI_Audit"),
  QUARANTINE_NOTE: z.stringbool().default(true),
  DESK_SEND_REPLIES: z.stringbool().default(false),
  /** From address of Desk drafts and replies; unset: the org's active mail reply address (department, default, first). */
  DESK_FROM_ADDRESS: z.email().optional(),
  /** Where lead enrichment writes: `{"score": "Lead_Score__c", ...}` over the defaults (keys: the targets). */
  LEAD_FIELD_MAP: json(z.partialRecord(z.enum(LEAD_TARGET_KEYS), z.string().min(1)), {}),
  /** Where ticket triage writes: `{"urgency": "cf_priority_ai", ...}` over the defaults (keys: the targets). */
  TICKET_FIELD_MAP: json(z.partialRecord(z.enum(TICKET_TARGET_KEYS), z.string().min(1)), {}),
  /**
   * How soon work waiting on a repair is re-checked: a broken Zoho connection (until `auth` stores a new token) or
   * a use case whose required field is missing (until the field exists). Re-checks read the connection secret and
   * the org's field metadata, never Zoho's token endpoint.
   */
  WAIT_RECHECK_SECONDS: z.coerce.number().int().min(5).max(300).default(20),
  /**
   * Micro-dollars per million tokens: `{"gpt-4o-mini": {"prompt": 150000, "completion": 600000}}`, over the dated
   * default table (shared/domain/model-prices.ts), so a common model's cost is never 0 when none is configured.
   */
  MODEL_PRICES: json(
    z.record(
      z.string(),
      z.object({
        prompt: z.number().min(0),
        completion: z.number().min(0),
        cachedPrompt: z.number().min(0).optional(),
      }),
    ),
    {},
  ).transform((prices) => mergePrices(prices)),
  /** How long the ledger keeps a use case's daily usage row (cost and token history for `usage`). */
  LEDGER_RETENTION_DAYS: z.coerce.number().int().min(3).max(3650).default(400),
});
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

/** Token budget per use case from TOKEN_BUDGET_PER_DAY. */
export function tokenBudget(setting: string): (useCase: string) => number {
  if (/^\d+$/.test(setting.trim())) return () => Number(setting);
  const map = JSON.parse(setting) as Record<string, number>;
  return (useCase) => map[useCase] ?? map.default ?? Number.POSITIVE_INFINITY;
}

/**
 * A use case's field map, from the variable its mapping names (`mapping.fieldMapSetting`): the parsed worker
 * setting when the schema above knows it (LEAD_FIELD_MAP, TICKET_FIELD_MAP), else `raw[setting]` (the deployment's
 * environment), checked against the use case's own target keys. No setting: `{}` (the defaults).
 */
export function fieldMapOf(
  env: WorkerEnv,
  descriptor: UseCaseDescriptor,
  raw: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const mapping = descriptor.mapping;
  const setting = mapping?.fieldMapSetting;
  if (!mapping || !setting) return {};
  if (setting === "LEAD_FIELD_MAP") return env.LEAD_FIELD_MAP;
  if (setting === "TICKET_FIELD_MAP") return env.TICKET_FIELD_MAP;
  return fieldMapFromSetting(descriptor, raw[setting]);
}

/** A field map variable's value (JSON: target key -> field api name), checked against the use case's targets. */
export function fieldMapFromSetting(
  descriptor: UseCaseDescriptor,
  value: string | undefined,
): Record<string, string> {
  const mapping = descriptor.mapping;
  if (!mapping || !value) return {};
  const result = json(fieldMapSchema(mapping.targets.map((t) => t.key)), {}).safeParse(value);
  if (!result.success)
    throw new ConfigError(
      `${mapping.fieldMapSetting}: ${result.error.issues.map((i) => i.message).join("; ")}`,
    );
  return Object.fromEntries(
    Object.entries(result.data).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/**
 * The deploy configuration's loader: `config/<stage>.json` (or `-c config=<path>`), then `-c key=value` overrides,
 * validated by the stage schema (stages.ts) with one line per problem. Only `infra/app.ts` and tests call it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { problemLines } from "../../shared/config/problem-lines.js";
import { STAGE_NAME } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { type Stage, StageSchema } from "./stages.js";

/** A deploy configuration that does not hold: one line per problem, for a person (no stack trace, no ZodError). */
export class DeployConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid deploy configuration (${source}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "DeployConfigError";
  }
}

/** Context keys the CDK CLI and cdk.json set for themselves (feature flags, `aws:cdk:*`), never stage settings. */
const isCdkContextKey = (key: string) =>
  key.startsWith("@") || key.includes(":") || key === "cli-telemetry" || key === "acknowledged-issue-numbers";

/** `-c key=value` gives strings: JSON values (numbers, booleans, objects) are parsed, anything else stays text. */
function contextValue(key: string, value: unknown): unknown {
  if (key === "tools") return toolsFromContext(value);
  if (typeof value !== "string") return value;
  if (key === "connections" && !value.trim().startsWith("[")) return value.split(",").map((c) => c.trim());
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export interface DeployConfigOptions {
  /** CDK context: `stage`, `config` (a file path) and any top-level setting as an override (`-c key=value`). */
  context: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Folder of `<stage>.json`; unset: no file is read (defaults and context only). */
  configDir?: string;
  readFile?: (path: string) => string | undefined;
}

export interface DeployConfig {
  stage: Stage;
  /** Where the settings came from, for the printout and error messages. */
  source: string;
}

/**
 * The deploy configuration of a stage: `config/<stage>.json` (or `-c config=<path>`) when present, then every other
 * context key as a top-level override (objects merged one level deep), checked by {@link StageSchema}. Throws
 * {@link DeployConfigError} with one line per problem.
 */
export function loadDeployConfig(options: DeployConfigOptions): DeployConfig {
  const { context, env } = options;
  const stageName = typeof context.stage === "string" ? context.stage : DEFAULT_STAGE;
  const read =
    options.readFile ?? ((path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined));
  const path =
    typeof context.config === "string"
      ? context.config
      : options.configDir && STAGE_NAME.test(stageName)
        ? join(options.configDir, `${stageName}.json`)
        : undefined;
  const text = path ? read(path) : undefined;
  if (typeof context.config === "string" && text === undefined)
    throw new DeployConfigError(context.config, ["✖ no such config file"]);
  const overrides = Object.keys(context).filter(
    (k) => !isCdkContextKey(k) && k !== "stage" && k !== "config",
  );
  const source = [
    text !== undefined ? path : "defaults",
    overrides.length ? `-c ${overrides.join(", ")}` : undefined,
  ]
    .filter(Boolean)
    .join(" + ");

  let file: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isPlainObject(parsed)) throw new Error("not a JSON object");
      file = parsed;
    } catch (error) {
      throw new DeployConfigError(source, [`✖ ${path} is not a JSON object: ${(error as Error).message}`]);
    }
  }
  const merged: Record<string, unknown> = {
    region: env.CDK_DEFAULT_REGION ?? "us-east-1",
    ...(env.CDK_DEFAULT_ACCOUNT ? { account: env.CDK_DEFAULT_ACCOUNT } : {}),
    ...file,
    name: stageName,
  };
  if (file.name !== undefined && file.name !== stageName)
    throw new DeployConfigError(source, [
      `✖ the file is for stage "${String(file.name)}", not "${stageName}"`,
    ]);
  for (const key of overrides) {
    // `-c notificationEvents=Leads.create,Leads.edit`: the short form of notifications.events.
    const [target, value] =
      key === "notificationEvents" && typeof context[key] === "string"
        ? [
            "notifications",
            {
              events: (context[key] as string)
                .split(",")
                .map((e) => e.trim())
                .filter(Boolean),
            },
          ]
        : [key, contextValue(key, context[key])];
    const current = merged[target];
    merged[target] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  const result = StageSchema.safeParse(merged);
  if (!result.success) throw new DeployConfigError(source, problemLines(result.error));
  return { stage: result.data, source };
}

/** Reads the stage from CDK context (`-c stage=prod`) and the standard CDK environment variables, without a file. */
export function loadStage(context: Record<string, unknown>, env: NodeJS.ProcessEnv): Stage {
  return loadDeployConfig({ context, env }).stage;
}

/** `-c tools=off|on` or the tools object as JSON (or as an object, from cdk.json). */
function toolsFromContext(value: unknown): unknown {
  if (value === "off" || value === "false" || value === false) return { enabled: false };
  if (value === "on" || value === "true" || value === true) return { enabled: true };
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new DeployConfigError("-c tools", [
      `✖ -c tools must be on, off or a JSON object of tool settings (got ${JSON.stringify(value)})`,
    ]);
  }
}

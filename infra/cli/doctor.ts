/**
 * `zoho-gpt-mediator doctor`: checks a connection end to end and prints, per check, ok / warn / FAIL with the
 * exact fix; `--json` prints the report as JSON. Exit 0 when nothing failed, 1 otherwise, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { modelKeySecretName, webhookSecretName } from "../../shared/domain/zoho-connection.js";
import { redactString } from "../../shared/observability/redact.js";
import { type DoctorReport, makeDoctor } from "../../shared/use-cases/doctor/index.js";
import { type CliDeps, CONNECTION_OPTIONS, commandFlags, openConnection } from "./connection.js";
import { doctorZohoFor } from "./doctor-zoho.js";
import { mappingCheckFor } from "./mapping-check.js";

const DEFAULTS = { stage: DEFAULT_STAGE, connection: "default" };

/** A secrets endpoint on this machine means the local stack, which reads no model key secret. */
const isLoopback = (url: string | undefined): boolean => {
  if (!url) return false;
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

export async function doctorCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...CONNECTION_OPTIONS,
      "webhook-secret-name": { type: "string" },
      "model-secret-name": { type: "string" },
      "desk-from-address": { type: "string" },
      notifications: { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  // Channels are managed only when events are configured (NOTIFICATION_EVENTS, or the stage's notificationEvents).
  values.notifications ??= env.NOTIFICATION_EVENTS?.trim() ? "on" : "off";
  if (values.notifications !== "on" && values.notifications !== "off") {
    out(`doctor: --notifications is on or off, not "${values.notifications}"`);
    return 2;
  }
  const conn = openConnection(values, env, deps, DEFAULTS);
  const local = isLoopback(values["secrets-endpoint"]);
  const deskFromAddress = values["desk-from-address"] ?? env.DESK_FROM_ADDRESS;
  const checkMappings = deps.checkMappings ?? mappingCheckFor(env);
  try {
    const doctor = makeDoctor({
      secrets: conn.store,
      clock: conn.clock,
      zohoFor: doctorZohoFor({
        secrets: conn.store,
        refresh: conn.refresh,
        clock: conn.clock,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      }),
      checkMappings,
    });
    const report = await doctor({
      stage: conn.stage,
      connection: conn.connection,
      connectionSecretName: conn.secretName,
      webhookSecretName: values["webhook-secret-name"] ?? webhookSecretName(conn.stage),
      // "none": a keyless OpenAI-compatible server (the worker's OPENAI_SECRET_NAME left empty).
      modelSecretName:
        values["model-secret-name"] === "none"
          ? null
          : (values["model-secret-name"] ?? (local ? null : modelKeySecretName(conn.stage))),
      ...(deskFromAddress ? { deskFromAddress } : {}),
      notifications: values.notifications === "on",
      commandFlags: commandFlags(values, DEFAULTS),
    });
    if (values.json) out(redactString(JSON.stringify(report, null, 2)));
    else
      for (const line of formatReport(report, `stage ${conn.stage}, connection ${conn.connection}`))
        out(redactString(line));
    return report.ok ? 0 : 1;
  } finally {
    conn.close();
  }
}

/** The report for people: one line per check, its fix indented below, a summary last. */
export function formatReport(report: DoctorReport, what: string): string[] {
  const label = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;
  const width = Math.min(34, Math.max(...report.checks.map((c) => c.title.length)));
  const lines = [`zoho-gpt-mediator doctor: ${what}`, ""];
  for (const c of report.checks) {
    lines.push(`  ${label[c.status]}  ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.fix && c.status !== "ok") lines.push(`        ${" ".repeat(width)}  fix: ${c.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === "fail");
  const optional = failed.filter((c) => c.optional).length;
  const warned = report.checks.filter((c) => c.status === "warn").length;
  lines.push(
    "",
    failed.length
      ? `doctor: ${failed.length} problem(s)${optional ? ` (${optional} optional: the use case runs without it)` : ""}, ${warned} warning(s); fix them and run doctor again`
      : `doctor: all checks passed${warned ? ` (${warned} warning(s))` : ""}`,
  );
  return lines;
}

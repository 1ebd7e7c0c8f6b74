/**
 * `zoho-gpt-mediator fields create <use-case>`: makes the CRM custom fields the use case's mapping lacks (Create
 * Custom Field API), prints Desk's setup steps for Desk fields (no API for those), and says what creating cannot fix
 * (a field of the wrong type, a read-only one). `--dry-run` prints the requests instead of sending them.
 * Exit 0 when every target is in place afterwards (or on a dry run), 1 when something remains, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { createZohoAdmin, createZohoPorts } from "../../shared/adapters/zoho/ports.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import type { MappingCheck } from "../../shared/domain/field-mapping.js";
import { parseConnection } from "../../shared/domain/zoho-connection.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { deskFieldSteps, makeCreateFields, planFields } from "../../shared/use-cases/create-fields.js";
import { type CliDeps, CONNECTION_OPTIONS, commandFlags, openConnection } from "./connection.js";
import { mappingCheckFor } from "./mapping-check.js";

const DEFAULTS = { stage: DEFAULT_STAGE, connection: "default" };

export async function fieldsCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
  usage: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...CONNECTION_OPTIONS,
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, useCase] = positionals;
  if (action !== "create" || !useCase) {
    out(`fields: expected "fields create <use-case>"\n\n${usage}`);
    return 2;
  }
  const say = (line: string) => out(redactString(line));
  const checkMappings = deps.checkMappings ?? mappingCheckFor(env);
  const conn = openConnection(values, env, deps, DEFAULTS);
  const flags = commandFlags(values, DEFAULTS);
  try {
    const stored = parseConnection(
      (await conn.store.get(conn.secretName, { fresh: true })).value,
      conn.secretName,
    );
    const zoho = conn.zoho();
    const { crm, desk } = createZohoPorts(zoho);
    // Live metadata on every check (no cache): the second one must see the fields just created.
    const check = (): Promise<MappingCheck[]> =>
      checkMappings({
        crmFields: (module) => crm.fields(module),
        deskFields: (module) => (stored.desk ? desk.fields(module) : Promise.resolve([])),
      });
    const before = await check();
    const known = [...new Set(before.map((c) => c.useCase))];
    if (!known.includes(useCase)) {
      say(`fields create: unknown use case "${useCase}" (one of ${known.join(", ") || "none"})`);
      return 2;
    }
    const plan = planFields(before, useCase);
    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })(plan.create, {
      dryRun: values["dry-run"] ?? false,
    });
    const after = values["dry-run"] || plan.create.length === 0 ? before : await check();
    const remaining = planFields(after, useCase);

    if (values.json) {
      say(
        JSON.stringify(
          { useCase, dryRun: values["dry-run"], results, desk: plan.desk, manual: plan.manual, remaining },
          null,
          2,
        ),
      );
    } else {
      say(`zoho-gpt-mediator fields create ${useCase}: stage ${conn.stage}, connection ${conn.connection}`);
      say("");
      if (plan.create.length === 0 && plan.desk.length === 0 && plan.manual.length === 0)
        say("  nothing to do: every target of this use case is in place");
      for (const r of results) say(`  ${r.outcome.padEnd(8)} ${r.message}`);
      for (const { module, target } of plan.desk)
        say(
          `  desk     ${module}.${target.field} is missing (Desk fields are made in Desk): ${deskFieldSteps(module, target)}`,
        );
      for (const { module, target } of plan.manual)
        say(
          `  manual   ${module}.${target.field} is ${target.status}${target.found ? ` (${target.found})` : ""}; creating cannot fix it${target.fix ? `: ${target.fix}` : ""}`,
        );
      say("");
      say(
        values["dry-run"]
          ? `dry run: nothing was sent; run without --dry-run to create ${plan.create.length} field(s)`
          : remaining.create.length + remaining.desk.length + remaining.manual.length === 0
            ? `done: every target of ${useCase} is in place; check with npx zoho-gpt-mediator doctor${flags ? ` ${flags}` : ""}`
            : `${remaining.create.length + remaining.desk.length + remaining.manual.length} target(s) still need attention (see above); then run npx zoho-gpt-mediator doctor${flags ? ` ${flags}` : ""}`,
      );
    }
    if (values["dry-run"]) return 0;
    return remaining.create.length + remaining.desk.length + remaining.manual.length === 0 ? 0 : 1;
  } catch (error) {
    say(
      `fields create failed: ${isAppError(error) ? error.message : `unexpected error (${(error as Error).name})`}`,
    );
    return 1;
  } finally {
    conn.close();
  }
}

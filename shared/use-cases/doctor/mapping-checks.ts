/** doctor's field-mapping check: each enabled use case's targets against the org's live field metadata. */
import type { MappingCheck, TargetCheck } from "../../domain/field-mapping.js";
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import type { ZohoField } from "../../domain/zoho-field.js";
import { UpstreamScopeError } from "../../errors.js";
import { CLI, messageOf } from "./fixes.js";
import { productReaders } from "./product-checks.js";
import type { CheckContext, DoctorCheck, DoctorDeps, DoctorZoho } from "./types.js";

export async function checkMapping(
  ctx: CheckContext,
  deps: DoctorDeps,
  conn: ZohoConnection,
  zoho: DoctorZoho,
): Promise<void> {
  const { add } = ctx;
  if (!deps.checkMappings) {
    add({
      id: "mapping",
      title: "field mapping",
      status: "fail",
      detail: "this build has no field-mapping check: the use cases' target fields were not checked",
      fix: "use a build of zoho-gpt-mediator whose doctor wires the mapping check",
    });
    return;
  }
  // One read per module for the whole run: use cases sharing a module see the same metadata.
  const read = new Map<string, Promise<ZohoField[]>>();
  const once = (key: string, load: () => Promise<ZohoField[]>) => {
    const hit = read.get(key) ?? load();
    read.set(key, hit);
    return hit;
  };
  // Creator and Books: each product's access is checked (and reported) on its first read.
  const products = productReaders(ctx, conn, zoho);
  let results: MappingCheck[];
  try {
    results = await deps.checkMappings({
      creatorFields: products.creatorFields,
      booksFields: products.booksFields,
      crmFields: (module) => once(`crm|${module}`, () => zoho.crm.fields(module)),
      // Without a Desk org the Desk use cases do not run; their checks are dropped below.
      deskFields: (module) =>
        conn.desk ? once(`desk|${module}`, () => zoho.desk.fields(module)) : Promise.resolve([]),
    });
  } catch (error) {
    add({
      id: "mapping",
      title: "field mapping",
      status: "fail",
      detail: messageOf(error, "the live field metadata could not be read"),
      fix:
        error instanceof UpstreamScopeError
          ? ctx.scopeFix(["ZohoCRM.settings.fields.READ", "Desk.settings.READ"], conn.clientId)
          : "run doctor again; if it persists, check the connection checks above",
    });
    return;
  }
  const reported = (c: MappingCheck) =>
    c.service === "crm" ||
    (c.service === "desk" ? conn.desk !== null && conn.desk !== undefined : products.usable(c));
  for (const check of results.filter(reported)) {
    const problems = check.targets.filter((t) => t.status !== "ok");
    const bound = check.targets.filter((t) => t.status === "ok");
    add({
      id: `mapping:${check.useCase}`,
      title: `mapping ${check.useCase}`,
      status: check.runnable ? "ok" : "fail",
      detail: `${check.service} ${check.module}: ${bound.length} of ${check.targets.length} targets bound${check.runnable ? "" : "; a required target is not usable, the use case does not run"}`,
    });
    for (const target of problems) add(targetCheck(ctx, check, target));
  }
}

function targetCheck(ctx: CheckContext, check: MappingCheck, target: TargetCheck): DoctorCheck {
  const what: Record<TargetCheck["status"], string> = {
    ok: "bound",
    missing: `${check.module} has no field ${target.field}`,
    "wrong-type": `${check.module}.${target.field} is ${target.found ?? "of another type"}`,
    "read-only": `${check.module}.${target.field} is read-only for the integration user`,
  };
  const bare = `${CLI} fields create ${check.useCase}`;
  const createFix = target.status === "missing" && target.create ? `${bare}${ctx.flags}` : undefined;
  // The mapping's own fix may name the command already: give it this stage's flags rather than say it twice.
  const fix =
    createFix && target.fix?.includes(bare)
      ? target.fix.replaceAll(bare, createFix)
      : [createFix, target.fix].filter(Boolean).join("; or ");
  return {
    id: `mapping:${check.useCase}:${target.key}`,
    title: `${check.useCase} ${target.key}`,
    status: "fail",
    detail: `${what[target.status]} (needs ${target.expected})${target.required ? "" : " — optional: the use case runs without it"}`,
    ...(fix ? { fix } : {}),
    ...(target.required ? {} : { optional: true }),
  };
}

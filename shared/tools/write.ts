/**
 * The one way an agent's write reaches Zoho (`carryOut`), for a tool call and for a person's approval of a
 * proposal alike: the key must hold the write scope for the module or the Desk action; a CRM update is guarded
 * against the org's live metadata and the key's allow-list (all or nothing: a field outside it is a 403, a bad
 * value a 422, and nothing is written); one write is taken from the key's daily budget (a 429 until the UTC day
 * turns when it is spent); then the write is made (`"trigger": []` by the port, an audit note naming the key on
 * a CRM update), or stored as a proposal a person approves.
 */

import type { ApiKeyRecord } from "../domain/api-key.js";
import { fieldAllowed, mayWriteModule } from "../domain/api-key.js";
import { untilNextUtcDay, utcDay } from "../domain/budgets.js";
import { guardWrite } from "../domain/write-guard.js";
import { AccessDeniedError, ValidationError, WorkMustWaitError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { DeskFromAddress } from "../pipeline/desk-from-address.js";
import type { FieldMetadataCache } from "../pipeline/field-metadata-cache.js";
import type { KeyLimits, ProposalStore, ToolWrite } from "../ports/agent-store.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { WriteOutcome } from "./definition.js";
import { TOOL_METRICS } from "./deps.js";
import { newProposalId } from "./ids.js";
import { makeWrite } from "./write-zoho.js";

export interface WriteDeps {
  key: ApiKeyRecord;
  /** The key's connection's ports. */
  zoho: ZohoPorts;
  metadata: FieldMetadataCache;
  clock: Clock;
  proposals: ProposalStore;
  /** The budget counters; absent when a person approves a proposal (its budget was taken when it was made). */
  limits?: KeyLimits;
  /** Where e-mail drafts and replies are sent from (configuration, else the org's reply addresses). */
  deskFrom: DeskFromAddress;
  logger: AppLogger;
  metrics?: Metrics;
}

export interface WriteRequest {
  write: ToolWrite;
  /** The tool that made (or proposed) it: the audit note and the proposal name it. */
  tool: string;
  /** The call id (or, on approval, the proposal id): the audit note's `job:` line. */
  jobId: string;
  reason?: string | undefined;
  /** Store a proposal instead of writing (a proposals-only key, `crm_propose_update`). */
  propose: boolean;
  /** The person who approved it (approval only). */
  approvedBy?: string;
}

/** The scope a write needs, checked again at approval (the key may have changed since it proposed). */
export function authorizeWrite(key: ApiKeyRecord, write: ToolWrite): void {
  const { desk } = key.scopes;
  switch (write.kind) {
    case "crm-update":
    case "crm-note":
    case "crm-task":
      if (!mayWriteModule(key.scopes, write.module))
        throw new AccessDeniedError(
          `this key may not write the module ${write.module} (no crm.write:${write.module})`,
        );
      return;
    case "desk-comment":
      if (!desk.comment) throw new AccessDeniedError("this key lacks the scope desk.comment");
      return;
    case "desk-draft":
      if (!desk.draft) throw new AccessDeniedError("this key lacks the scope desk.draft");
      if (write.send && !desk.send)
        throw new AccessDeniedError("this key lacks the scope desk.send: save a draft (send: false) instead");
      return;
  }
}

/** The guard's reason without the agent's value (answers and the call log carry no argument values). */
const reasonWithoutValue = (reason: string) =>
  /^".*" is not one of the field's picklist values$/s.test(reason)
    ? "not one of the field's picklist values (crm_describe_module lists them)"
    : reason;

export type PreparedWrite = { write: ToolWrite; mapped: { field: string; from: string; to: string }[] };

/**
 * A CRM update guarded against live metadata and the key's allow-list: its values in Zoho's spelling (a picklist
 * near match mapped), or a refusal naming every field at fault. Other writes pass unchanged (their texts are
 * bounded by the tool's schema and the deployment's limit).
 */
export async function prepareWrite(deps: WriteDeps, write: ToolWrite): Promise<PreparedWrite> {
  if (write.kind !== "crm-update") return { write, mapped: [] };
  const { key } = deps;
  const { module } = write;
  const forbidden = Object.keys(write.fields).filter((f) => !fieldAllowed(key.scopes, module, f));
  if (forbidden.length)
    throw new AccessDeniedError(
      `this key may not write ${module} field${forbidden.length > 1 ? "s" : ""} ${forbidden.join(", ")} (outside its allow-list); nothing was written`,
    );
  const names = Object.keys(write.fields);
  const guard = async () =>
    guardWrite(write.fields, await deps.metadata.fields(deps.zoho, key.connection, "crm", module), names);
  let result = await guard();
  // A field created in the org since the metadata was cached: read it once more before refusing.
  if (!result.ok && result.problems.some((p) => p.reason === "no such field in Zoho")) {
    deps.metadata.invalidate(key.connection, "crm", module);
    result = await guard();
  }
  if (!result.ok) {
    const issues = result.problems.map((p) => ({
      path: `fields.${p.field}`,
      message: reasonWithoutValue(p.reason),
    }));
    throw new ValidationError(
      `nothing was written: ${issues.map((i) => `${i.path.slice(7)} ${i.message}`).join("; ")}`,
      issues,
      { httpStatus: 422 },
    );
  }
  if (Object.keys(result.fields).length === 0)
    throw new ValidationError("nothing to write: every value given was null", [
      { path: "fields", message: "all null" },
    ]);
  return { write: { ...write, fields: result.fields }, mapped: result.mapped };
}

/** Takes one write from the key's budget of the UTC day; a 429 until midnight UTC when it is spent. */
async function takeBudget(deps: WriteDeps): Promise<void> {
  if (!deps.limits) return;
  const now = deps.clock.now();
  const { key } = deps;
  if (await deps.limits.takeWrites(key.id, utcDay(now), 1, key.writeBudgetPerDay)) return;
  deps.metrics?.count(TOOL_METRICS.budgetExhausted);
  deps.logger.warn("agent write budget exhausted", { keyId: key.id, budget: key.writeBudgetPerDay });
  throw new WorkMustWaitError(
    `this key's write budget (${key.writeBudgetPerDay} writes per UTC day) is spent; nothing was written; it starts over at 00:00 UTC`,
    { retryAfterMs: untilNextUtcDay(now) },
  );
}

/** Checks, counts and makes (or proposes) one write. Throws the taxonomy's errors; nothing is written on a refusal. */
export async function carryOut(deps: WriteDeps, request: WriteRequest): Promise<WriteOutcome> {
  authorizeWrite(deps.key, request.write);
  const prepared = await prepareWrite(deps, request.write);
  await takeBudget(deps);
  if (request.propose) {
    const proposalId = newProposalId();
    await deps.proposals.create({
      id: proposalId,
      keyId: deps.key.id,
      keyName: deps.key.name,
      connection: deps.key.connection,
      tool: request.tool,
      write: prepared.write,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      status: "pending",
      createdAt: new Date(deps.clock.now()).toISOString(),
    });
    deps.logger.info("agent write proposed", { keyId: deps.key.id, proposalId, tool: request.tool });
    return { status: "proposed", proposalId };
  }
  return makeWrite(deps, request, prepared);
}

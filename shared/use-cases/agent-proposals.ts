/**
 * A person's decision on an agent's proposed write (`proposals list|approve|reject`). Approval carries the write out
 * with the same checks a tool call gets, against the org's metadata and the key's scopes as they are now (no budget
 * taken again: the proposal took it). The conditional move pending -> approving is what makes approving twice
 * write once: only one approver wins it. A passing fault (Zoho unavailable, a token being renewed) gives the
 * proposal back as pending, to be approved again; anything else ends it as failed with the reason.
 */
import { AppError, UpstreamTimeoutError, ValidationError, WriteOutcomeUnknownError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import { DeskFromAddress } from "../pipeline/desk-from-address.js";
import type { FieldMetadataCache } from "../pipeline/field-metadata-cache.js";
import type { ApiKeyStore, Proposal, ProposalStatus, ProposalStore } from "../ports/agent-store.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { ZohoPortsFor } from "../ports/zoho.js";
import type { WriteOutcome } from "../tools/definition.js";
import { toToolError } from "../tools/errors.js";
import { carryOut } from "../tools/write.js";

export interface ApproveDeps {
  proposals: ProposalStore;
  keys: ApiKeyStore;
  zohoFor: ZohoPortsFor;
  metadata: FieldMetadataCache;
  clock: Clock;
  logger: AppLogger;
  /** `DESK_FROM_ADDRESS`; unset: the org's reply addresses decide (as the pipeline and the tools). */
  deskFromAddress?: string | undefined;
  metrics?: Metrics;
}

export interface Decision {
  ok: boolean;
  status: ProposalStatus;
  message: string;
}

const PROPOSAL_ID = /^prop_[a-z0-9]{20}$/;

async function load(store: ProposalStore, id: string): Promise<Proposal> {
  const proposal = PROPOSAL_ID.test(id) ? await store.get(id) : null;
  if (!proposal) throw new ValidationError(`no proposal ${id.slice(0, 40)}`, [], { httpStatus: 404 });
  return proposal;
}

/** Proposals, newest first; only those in `status` when given. */
export const listProposals = (store: ProposalStore, status?: ProposalStatus): Promise<Proposal[]> =>
  store.list(status);

/** Rejects a pending proposal; nothing is written. `ok` false (with its status) when it was no longer pending. */
export async function rejectProposal(
  store: ProposalStore,
  id: string,
  by: string,
  clock: Clock,
): Promise<{ ok: boolean; status: ProposalStatus }> {
  await load(store, id);
  const decidedAt = new Date(clock.now()).toISOString();
  if (await store.transition(id, "pending", "rejected", { decidedAt, decidedBy: by }))
    return { ok: true, status: "rejected" };
  return { ok: false, status: (await load(store, id)).status };
}

/** What a written proposal's result says. */
function describe(proposal: Proposal, outcome: Extract<WriteOutcome, { status: "written" }>): string {
  const w = proposal.write;
  switch (w.kind) {
    case "crm-update":
      return `${w.module} ${w.id}: ${(outcome.fields ?? []).join(", ")} written`;
    case "crm-note":
      return `note ${outcome.recordId} on ${w.module} ${w.id}`;
    case "crm-task":
      return `task ${outcome.recordId} on ${w.module} ${w.id}`;
    case "desk-comment":
      return `private comment on ticket ${w.ticketId}`;
    case "desk-draft":
      return `${w.send ? "reply sent" : "draft saved"} on ticket ${w.ticketId}`;
  }
}

/**
 * Approves a pending proposal and carries it out. Exactly one approval writes: a second answers "already
 * <status>" and writes nothing.
 */
export async function approveProposal(deps: ApproveDeps, id: string, by: string): Promise<Decision> {
  const proposal = await load(deps.proposals, id);
  const decidedAt = () => new Date(deps.clock.now()).toISOString();
  if (
    !(await deps.proposals.transition(id, "pending", "approving", { decidedAt: decidedAt(), decidedBy: by }))
  ) {
    const now = await load(deps.proposals, id);
    return { ok: false, status: now.status, message: `already ${now.status}; nothing written` };
  }
  const fail = async (message: string): Promise<Decision> => {
    await deps.proposals.transition(id, "approving", "failed", {
      decidedAt: decidedAt(),
      result: { ok: false, message },
    });
    deps.logger.warn("proposal failed", { proposalId: id, message });
    return { ok: false, status: "failed", message };
  };
  const key = await deps.keys.get(proposal.keyId);
  if (!key) return fail(`the key ${proposal.keyId} that proposed it no longer exists; nothing written`);
  if (key.revokedAt) return fail(`the key ${key.name} (${key.id}) was revoked; nothing written`);
  // Set once the write is made: from then on nothing may put the proposal back to pending (a second approval would
  // write it twice), whatever happens to the bookkeeping.
  let written: string | undefined;
  try {
    const outcome = await carryOut(
      {
        key,
        zoho: deps.zohoFor(key.connection),
        metadata: deps.metadata,
        clock: deps.clock,
        proposals: deps.proposals,
        deskFrom: new DeskFromAddress(deps.deskFromAddress ?? null, deps.clock),
        logger: deps.logger,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      },
      {
        write: proposal.write,
        tool: proposal.tool,
        jobId: id,
        reason: proposal.reason,
        propose: false,
        approvedBy: by,
      },
    );
    if (outcome.status !== "written") return fail("carried out as a proposal again (a bug); nothing written");
    written = describe(proposal, outcome);
  } catch (error) {
    const info = toToolError(error);
    // The taxonomy's messages are safe to show (fields and codes, no values or secrets); a bug's is not.
    const reason = error instanceof AppError ? error.message : info.message;
    // A passing fault: give it back, unless the write may have happened (Zoho failed while making a write that is
    // not an update: approving it again could write it twice).
    const unknownOutcome =
      error instanceof WriteOutcomeUnknownError ||
      (error instanceof UpstreamTimeoutError && proposal.write.kind !== "crm-update");
    if (info.retryable && !unknownOutcome) {
      await deps.proposals.transition(id, "approving", "pending", {});
      return { ok: false, status: "pending", message: `not written: ${reason}; approve again later` };
    }
    if (!(error instanceof AppError))
      deps.logger.error("proposal approval failed", { proposalId: id, error });
    return fail(
      unknownOutcome
        ? `${reason}: it may or may not be made; check the record before proposing again`
        : `not written: ${reason}`,
    );
  }
  return recordWritten(deps, id, written ?? "written");
}

/**
 * Records a made write. If that fails (DynamoDB throttled), the proposal stays approving, never pending: approving
 * it again would write it twice. The answer says the write is made either way.
 */
async function recordWritten(deps: ApproveDeps, id: string, message: string): Promise<Decision> {
  try {
    await deps.proposals.transition(id, "approving", "written", { result: { ok: true, message } });
  } catch (error) {
    deps.logger.error("proposal written but its status was not recorded", { proposalId: id, error });
    return {
      ok: true,
      status: "approving",
      message: `${message}; written, but its status could not be recorded (it stays approving: do not approve it again)`,
    };
  }
  deps.logger.info("proposal written", { proposalId: id });
  return { ok: true, status: "written", message };
}

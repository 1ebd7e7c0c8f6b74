/**
 * Proposals decided by a person: approval carries the write out once (checked again against the key and the org
 * as they are now), rejection writes nothing, a passing fault gives the proposal back to be approved again.
 */
import { describe, expect, it } from "vitest";
import { UpstreamTimeoutError, UpstreamUnavailableError } from "../../../shared/errors.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../../shared/pipeline/field-metadata-cache.js";
import type { ToolOutcome } from "../../../shared/tools/definition.js";
import {
  type ApproveDeps,
  approveProposal,
  listProposals,
  rejectProposal,
} from "../../../shared/use-cases/agent-proposals.js";
import { LEAD_FIELDS, LEAD_ID, TICKET_ID, toolsWorld } from "./world.js";

type Ok = Extract<ToolOutcome, { ok: true }> & { output: Record<string, any> };

async function proposed(fields: Record<string, unknown> = { AI_Rating: "hot" }) {
  const w = toolsWorld();
  const added = await w.addKey({ proposalsOnly: true });
  const answer = (await w.call(added.key, "crm_update", {
    module: "Leads",
    id: LEAD_ID,
    fields,
    reason: "hot lead",
  })) as Ok;
  const proposalId = answer.output.proposalId as string;
  const deps: ApproveDeps = {
    proposals: w.store.proposals,
    keys: w.store.keys,
    zohoFor: w.deps.zohoFor,
    // The CLI's own metadata cache: approval reads the org as it is now.
    metadata: new FieldMetadataCache(w.clock),
    clock: w.clock,
    logger: createLogger("proposals-test"),
  };
  return { w, ...added, proposalId, deps };
}

const updates = (w: ReturnType<typeof toolsWorld>) =>
  w.crm.writes().filter((c) => c.method === "updateRecords");

describe("approveProposal", () => {
  it("writes the proposal once with trigger [] and an audit note naming the key and the approver", async () => {
    const { w, record, proposalId, deps } = await proposed();

    const decision = await approveProposal(deps, proposalId, "alice");

    expect(decision).toEqual({ ok: true, status: "written", message: `Leads ${LEAD_ID}: AI_Rating written` });
    expect(updates(w)).toEqual([
      { method: "updateRecords", module: "Leads", records: [{ id: LEAD_ID, AI_Rating: "Hot" }], trigger: [] },
    ]);
    expect(w.crm.notes[0]?.content).toContain(`key: ${record.name} (${record.id})`);
    expect(w.crm.notes[0]?.content).toContain(`job: ${proposalId}`);
    expect(w.crm.notes[0]?.content).toContain("approved by: alice");
    expect(await w.store.proposals.get(proposalId)).toMatchObject({
      status: "written",
      decidedBy: "alice",
      result: { ok: true },
    });
  });

  it("approving twice writes once; the second answers already written", async () => {
    const { w, proposalId, deps } = await proposed();

    await approveProposal(deps, proposalId, "alice");
    const again = await approveProposal(deps, proposalId, "bob");

    expect(again).toEqual({ ok: false, status: "written", message: "already written; nothing written" });
    expect(updates(w)).toHaveLength(1);
  });

  it("two approvals at once write once", async () => {
    const { w, proposalId, deps } = await proposed();

    const decisions = await Promise.all([
      approveProposal(deps, proposalId, "alice"),
      approveProposal(deps, proposalId, "bob"),
    ]);

    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    expect(updates(w)).toHaveLength(1);
  });

  it("fails, writing nothing, when the key was revoked since it proposed", async () => {
    const { w, record, proposalId, deps } = await proposed();
    await w.store.keys.revoke(record.id, new Date(w.clock.now()).toISOString());

    const decision = await approveProposal(deps, proposalId, "alice");

    expect(decision).toMatchObject({ ok: false, status: "failed" });
    expect(decision.message).toContain("revoked");
    expect(updates(w)).toEqual([]);
  });

  it("checks the value against the org as it is at approval: a picklist value removed since fails it", async () => {
    const { w, proposalId, deps } = await proposed({ AI_Rating: "Hot" });
    w.crm.moduleFields.set(
      "Leads",
      LEAD_FIELDS.map((f) => (f.name === "AI_Rating" ? { ...f, picklist: ["Warm", "Cold"] } : f)),
    );

    const decision = await approveProposal(deps, proposalId, "alice");

    expect(decision).toMatchObject({ ok: false, status: "failed" });
    expect(decision.message).toContain("AI_Rating");
    expect(updates(w)).toEqual([]);
    expect((await w.store.proposals.get(proposalId))?.result).toMatchObject({ ok: false });
  });

  it("takes no budget again: a key whose budget is spent still gets its approved proposal written", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ proposalsOnly: true, budget: "1/day" });
    const answer = (await w.call(key, "crm_update", {
      module: "Leads",
      id: LEAD_ID,
      fields: { AI_Score: 9 },
    })) as Ok;
    const deps: ApproveDeps = { ...w.deps, metadata: new FieldMetadataCache(w.clock) };

    const decision = await approveProposal(deps, answer.output.proposalId, "alice");

    expect(decision.ok).toBe(true);
    expect(w.crm.find("Leads", LEAD_ID)?.AI_Score).toBe(9);
  });

  it("gives the proposal back as pending on a passing fault, and a later approval writes it", async () => {
    const { w, proposalId, deps } = await proposed();
    w.crm.failNext("updateRecords", new UpstreamUnavailableError("zoho-crm", "Zoho answered 503"));

    const first = await approveProposal(deps, proposalId, "alice");
    const second = await approveProposal(deps, proposalId, "alice");

    expect(first).toMatchObject({ ok: false, status: "pending" });
    expect(first.message).toContain("approve again");
    expect(second).toMatchObject({ ok: true, status: "written" });
    expect(updates(w)).toHaveLength(1);
  });

  it("fails a comment whose Desk call timed out (it may be written: approving again could post it twice)", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ proposalsOnly: true });
    const answer = (await w.call(key, "desk_add_private_comment", {
      ticketId: TICKET_ID,
      content: "x",
    })) as Ok;
    w.desk.failNext("addPrivateComment", new UpstreamTimeoutError("zoho-desk", "no answer in 10 s"));

    const decision = await approveProposal(
      { ...w.deps, metadata: new FieldMetadataCache(w.clock) },
      answer.output.proposalId,
      "alice",
    );

    expect(decision).toMatchObject({ ok: false, status: "failed" });
    expect(decision.message).toContain("may or may not");
  });

  it("fails a note whose CRM call got a 5xx (Zoho may have made it): approving again writes nothing", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ proposalsOnly: true });
    const answer = (await w.call(key, "crm_add_note", {
      module: "Leads",
      id: LEAD_ID,
      content: "call back",
    })) as Ok;
    w.crm.failNext(
      "createNotes",
      new UpstreamUnavailableError("zoho-crm", "Zoho answered 502", { status: 502 }),
    );
    const deps = { ...w.deps, metadata: new FieldMetadataCache(w.clock) };

    const first = await approveProposal(deps, answer.output.proposalId, "alice");
    const second = await approveProposal(deps, answer.output.proposalId, "alice");

    expect(first).toMatchObject({ ok: false, status: "failed" });
    expect(first.message).toContain("may or may not");
    expect(second.ok).toBe(false);
    // The second approval made no attempt (one would have succeeded: the fake fails only once).
    expect(w.crm.notes).toHaveLength(0);
  });

  it("keeps a written proposal out of pending when recording it fails (never a second write)", async () => {
    const { w, proposalId, deps } = await proposed();
    const real = w.store.proposals.transition.bind(w.store.proposals);
    w.store.proposals.transition = async (id, from, to, patch) => {
      if (to === "written") throw new UpstreamUnavailableError("aws", "DynamoDB throttled");
      return real(id, from, to, patch);
    };

    const first = await approveProposal(deps, proposalId, "alice");
    w.store.proposals.transition = real;
    const second = await approveProposal(deps, proposalId, "alice");

    expect(first).toMatchObject({ ok: true, status: "approving" });
    expect(first.message).toContain("do not approve it again");
    expect(second).toMatchObject({ ok: false, status: "approving" });
    expect(updates(w)).toHaveLength(1);
  });

  it("refuses an id that is not a proposal", async () => {
    const { deps } = await proposed();

    await expect(approveProposal(deps, "prop_aaaaaaaaaaaaaaaaaaaa", "alice")).rejects.toMatchObject({
      httpStatus: 404,
    });
  });
});

describe("rejectProposal and listProposals", () => {
  it("rejects a pending proposal (nothing written; it cannot be approved after)", async () => {
    const { w, proposalId, deps } = await proposed();

    const rejected = await rejectProposal(w.store.proposals, proposalId, "carol", w.clock);
    const approved = await approveProposal(deps, proposalId, "alice");
    const again = await rejectProposal(w.store.proposals, proposalId, "carol", w.clock);

    expect(rejected).toEqual({ ok: true, status: "rejected" });
    expect(approved).toMatchObject({ ok: false, status: "rejected" });
    expect(again).toEqual({ ok: false, status: "rejected" });
    expect(updates(w)).toEqual([]);
    expect(await listProposals(w.store.proposals, "rejected")).toHaveLength(1);
    expect(await listProposals(w.store.proposals, "pending")).toEqual([]);
  });
});

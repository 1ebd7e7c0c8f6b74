/**
 * `mediator_job_status`: what happened to a job id. A key sees its own tool calls (`call_...`) and proposals
 * (`prop_...`); another key's answer is the same 404 as an unknown id, so ids cannot be probed. Any other id is a
 * pipeline job (the ingest's answer carries it) and needs the jobs.read scope.
 */
import * as z from "zod";
import { AccessDeniedError, ValidationError } from "../errors.js";
import type { ToolDefinition } from "./definition.js";
import { CALL_ID, JobIdOutput, PROPOSAL_ID } from "./schemas.js";

const StatusInput = z
  .object({
    jobId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a job id: call_..., prop_... or a pipeline job id")
      .describe("A tool answer's jobId (call_...), a proposalId (prop_...) or a pipeline job id"),
  })
  .strict();

const StatusOutput = z.object({
  kind: z.enum(["tool-call", "proposal", "pipeline-job"]),
  id: z.string().describe("The id asked about"),
  status: z
    .string()
    .describe(
      "tool-call: ok|proposed|refused|error; proposal: pending|approving|written|failed|rejected; pipeline-job: in-progress|replaying|done|dead-lettered",
    ),
  tool: z.string().optional(),
  at: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  zohoCalls: z.number().int().optional(),
  writes: z.number().int().optional(),
  proposalId: z.string().optional(),
  decidedAt: z.string().optional(),
  decidedBy: z.string().optional(),
  result: z.object({ ok: z.boolean(), message: z.string() }).optional(),
  reason: z.string().optional(),
  outcome: z.record(z.string(), z.unknown()).optional(),
  jobId: JobIdOutput,
});

type Out = z.input<typeof StatusOutput>;
/** The same answer for an unknown id and another key's: ids cannot be probed. */
const unknownJob = (id: string) => new ValidationError(`no job ${id} of this key`, [], { httpStatus: 404 });

export const mediatorJobStatus: ToolDefinition<typeof StatusInput, typeof StatusOutput> = {
  name: "mediator_job_status",
  title: "Job status",
  description:
    "What happened to a job: a tool call (jobId call_...), a proposal (prop_...: pending, written, rejected...) of this key, or a pipeline job id (needs scope jobs.read). 404: unknown id or not this key's; 403: pipeline jobs need jobs.read.",
  scope: "jobs",
  writes: false,
  input: StatusInput,
  output: StatusOutput,
  async run(ctx, { jobId }) {
    const base = { id: jobId, jobId: ctx.callId };
    if (CALL_ID.test(jobId)) {
      const call = await ctx.calls.get(jobId);
      if (!call || call.keyId !== ctx.key.id) throw unknownJob(jobId);
      const out: Out = {
        ...base,
        kind: "tool-call",
        status: call.outcome,
        tool: call.tool,
        at: call.at,
        zohoCalls: call.zohoCalls,
        writes: call.writes,
      };
      if (call.code !== undefined) out.code = call.code;
      if (call.message !== undefined) out.message = call.message;
      if (call.proposalId !== undefined) out.proposalId = call.proposalId;
      return out;
    }
    if (PROPOSAL_ID.test(jobId)) {
      const proposal = await ctx.proposals.get(jobId);
      if (!proposal || proposal.keyId !== ctx.key.id) throw unknownJob(jobId);
      const out: Out = {
        ...base,
        kind: "proposal",
        status: proposal.status,
        tool: proposal.tool,
        at: proposal.createdAt,
      };
      if (proposal.decidedAt !== undefined) out.decidedAt = proposal.decidedAt;
      if (proposal.decidedBy !== undefined) out.decidedBy = proposal.decidedBy;
      if (proposal.result !== undefined) out.result = proposal.result;
      return out;
    }
    if (!ctx.key.scopes.jobsRead)
      throw new AccessDeniedError(
        "this key lacks the scope jobs.read (pipeline jobs); its own call_ and prop_ ids need none",
      );
    const job = await ctx.jobs.statusOf(jobId);
    // Another connection's job is as unknown as a missing one: a key acts on, and sees, one connection.
    if (!job || job.connection !== ctx.key.connection) throw unknownJob(jobId);
    const out: Out = { ...base, kind: "pipeline-job", status: job.status };
    if (job.reason !== undefined) out.reason = job.reason.slice(0, 2_000);
    if (job.outcome !== undefined) out.outcome = job.outcome;
    return out;
  },
};

/**
 * `GET /_status` on the local API: the page a person watches while `npm start` runs, and the JSON it polls under
 * `/_status/api/*`. Plain HTML, CSS and a small script from this folder (no build step, no external assets); the
 * script writes every value with textContent, since record values and reasons are untrusted text.
 *
 * The one write, `POST /_status/api/replay {jobId}`, replays a job's dead letters through the same use case as
 * `dlq replay`. It requires the `X-Status-Page` header: a cross-site form or fetch cannot send it without a CORS
 * preflight, which this server never grants, so another web page open in the browser cannot trigger a replay.
 */
import { readFileSync } from "node:fs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { z } from "zod";
import type { JobStatus } from "../../../shared/ports/job-store.js";
import type { ReplayResult } from "../../../shared/use-cases/replay-dead-letters.js";
import type { DeadLetter } from "../queues.js";
import type { ZohoSandbox } from "../zoho-sandbox/server.js";
import { STATUS_STAGES, type StatusFeed } from "./feed.js";
import type { UsageRow } from "./sources.js";

export interface StatusSources {
  feed: StatusFeed;
  deadLetters: () => DeadLetter[];
  /** Messages waiting on (and in flight from) each queue. */
  queueDepths: () => { work: number; workInFlight: number; deadLetter: number };
  /** Present once the worker runs (it needs DynamoDB). */
  jobs?: () => ((jobId: string) => Promise<JobStatus | null>) | undefined;
  replayJob?: () => ((jobId: string) => Promise<ReplayResult>) | undefined;
  usage?: () => (() => Promise<UsageRow[]>) | undefined;
  sandbox?: ZohoSandbox | undefined;
}

type Answer = { statusCode: number; headers: Record<string, string>; body: string };

const STATIC: Record<string, { file: string; type: string }> = {
  "/_status": { file: "page.html", type: "text/html; charset=utf-8" },
  "/_status/": { file: "page.html", type: "text/html; charset=utf-8" },
  "/_status/page.js": { file: "page.js", type: "text/javascript; charset=utf-8" },
  "/_status/page.css": { file: "page.css", type: "text/css; charset=utf-8" },
};

/** The page's own files; no script or style from anywhere else, no inline script. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

const json = (statusCode: number, body: unknown): Answer => ({
  statusCode,
  headers: { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS },
  body: JSON.stringify(body),
});

const ReplayRequestSchema = z.strictObject({
  jobId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/),
});

/** Reads one of this folder's files (read per request: editing the page needs no restart). */
const asset = (file: string) => readFileSync(new URL(`./${file}`, import.meta.url), "utf8");

/**
 * The page answers only to a loopback host name. The server listens on 127.0.0.1, but a hostile site can rebind its
 * own name to 127.0.0.1 and so read the page and send its replay header as the same origin; its Host header still
 * names that site, so it is refused.
 */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

export function statusRoute(sources: StatusSources) {
  return async (event: APIGatewayProxyEventV2): Promise<Answer> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    if (!LOOPBACK_HOST.test(event.headers.host ?? ""))
      return json(403, { message: "the status page answers only on 127.0.0.1 or localhost" });
    const file = STATIC[path];
    if (file) {
      if (method !== "GET") return json(405, { message: "Method Not Allowed" });
      return {
        statusCode: 200,
        headers: { "content-type": file.type, ...SECURITY_HEADERS },
        body: asset(file.file),
      };
    }
    if (path === "/_status/api/replay") {
      if (method !== "POST") return json(405, { message: "Method Not Allowed" });
      return replay(sources, event);
    }
    if (method !== "GET") return json(405, { message: "Method Not Allowed" });
    switch (path) {
      case "/_status/api/summary":
        return json(200, summary(sources));
      case "/_status/api/jobs":
        return json(200, await jobs(sources));
      case "/_status/api/dead-letters":
        return json(200, { deadLetters: deadLetters(sources) });
      case "/_status/api/costs":
        return json(200, await costs(sources));
      case "/_status/api/sandbox":
        return json(200, sandbox(sources));
      default:
        return json(404, { message: "Not Found" });
    }
  };
}

function summary(s: StatusSources) {
  // Reading the dead-letter queue counts the new ones, so the page's dead-lettered count moves as they arrive.
  deadLetters(s);
  return {
    stages: STATUS_STAGES.map((stage) => ({ stage, count: s.feed.counts[stage] })),
    queues: s.queueDepths(),
    events: s.feed.recentEvents(30),
  };
}

function deadLetters(s: StatusSources) {
  const letters = s.deadLetters().map((d) => {
    const body = (typeof d.body === "object" && d.body !== null ? d.body : {}) as Record<string, unknown>;
    const subject = body.subject as { module?: unknown; id?: unknown } | undefined;
    return {
      messageId: d.messageId,
      jobId: typeof body.jobId === "string" ? body.jobId : undefined,
      useCase: typeof body.useCase === "string" ? body.useCase : undefined,
      subject: subject ? `${String(subject.module ?? "")} ${String(subject.id ?? "")}`.trim() : undefined,
      reason: d.reason,
      failedAt: d.attributes.failedAt ?? d.sentAt,
    };
  });
  s.feed.deadLetters(letters);
  return letters;
}

async function jobs(s: StatusSources) {
  const statusOf = s.jobs?.();
  const out = [];
  for (const job of s.feed.recentJobs(20)) {
    const status = statusOf ? await statusOf(job.jobId).catch(() => null) : null;
    const outcome = status?.outcome ?? {};
    const written = Array.isArray(outcome.written) ? outcome.written.map(String) : [];
    const [module, id] = splitSubject(job.subject);
    out.push({
      ...job,
      status: status?.status ?? "unknown",
      ...(status?.reason ? { reason: status.reason } : {}),
      written: written.map((field) => ({ field, value: recordValue(s.sandbox, module, id, field) })),
      audit: auditOf(outcome),
      notes: notesOf(s.sandbox, id),
    });
  }
  return { jobsAvailable: Boolean(statusOf), jobs: out };
}

const splitSubject = (subject: string | undefined): [string | undefined, string | undefined] => {
  const at = subject?.indexOf(" ") ?? -1;
  return subject && at > 0 ? [subject.slice(0, at), subject.slice(at + 1)] : [undefined, undefined];
};

/** The field's value in the sandbox org now (with a real org, the page shows the field names only). */
function recordValue(sandbox: ZohoSandbox | undefined, module?: string, id?: string, field?: string) {
  if (!sandbox || !module || !id || !field) return undefined;
  const value = sandbox.state.crm.find(module, id)?.[field];
  return value === undefined || value === null
    ? undefined
    : typeof value === "string"
      ? value
      : JSON.stringify(value);
}

/** The audit notes on the record in the sandbox org (the audit trail's `crm-note` step writes one per job). */
function notesOf(sandbox: ZohoSandbox | undefined, id?: string) {
  if (!sandbox || !id) return [];
  return [...sandbox.state.crm.table("Notes").values()]
    .filter((n) => (n.Parent_Id as { id?: string } | undefined)?.id === id)
    .map((n) => ({ title: String(n.Note_Title ?? ""), content: String(n.Note_Content ?? "") }));
}

function auditOf(outcome: Record<string, unknown>) {
  if (typeof outcome.model !== "string") return undefined;
  const usage = (outcome.usage ?? {}) as { promptTokens?: number; completionTokens?: number };
  const calls = Array.isArray(outcome.calls) ? (outcome.calls as { costMicros?: number }[]) : [];
  return {
    model: outcome.model,
    promptVersion: String(outcome.promptVersion ?? ""),
    promptTokens: usage.promptTokens ?? 0,
    completionTokens: usage.completionTokens ?? 0,
    ...(calls.length ? { costUsd: calls.reduce((n, c) => n + (c.costMicros ?? 0), 0) / 1_000_000 } : {}),
    mappings: Array.isArray(outcome.mappings) ? outcome.mappings.map(String) : [],
    ...(typeof outcome.completedAt === "string" ? { completedAt: outcome.completedAt } : {}),
  };
}

async function costs(s: StatusSources) {
  const read = s.usage?.();
  if (!read) return { available: false, rows: [], totalUsd: 0 };
  const rows = await read();
  return { available: true, rows, totalUsd: rows.reduce((n, r) => n + r.costUsd, 0) };
}

function sandbox(s: StatusSources) {
  if (!s.sandbox) return { available: false };
  const report = s.sandbox.inspect() as {
    counts?: Record<string, unknown>;
    writes?: SandboxWrite[];
    webhooks_fired?: unknown[];
    webhook_failures?: unknown[];
  };
  // Counts and the writes' field names only: the sandbox's request log and webhook entries carry URLs whose query
  // may hold the Desk webhook's token, which has no place on a page.
  const counts = Object.fromEntries(
    Object.entries(report.counts ?? {}).filter(([, v]) => typeof v === "number"),
  ) as Record<string, number>;
  return {
    available: true,
    url: s.sandbox.url,
    counts,
    writes: (report.writes ?? [])
      .slice(-15)
      .reverse()
      .map((w) => ({
        time: w.time,
        service: w.service,
        module: w.module,
        operation: w.operation,
        ids: w.ids,
        fields: w.fields,
        source: w.source,
      })),
    webhooksFired: (report.webhooks_fired ?? []).length,
    webhookFailures: (report.webhook_failures ?? []).length,
  };
}

/** A write as the sandbox's inspector records it (field names, never values). */
interface SandboxWrite {
  time?: string;
  service?: string;
  module?: string;
  operation?: string;
  ids?: string[];
  fields?: string[][];
  source?: string;
}

async function replay(s: StatusSources, event: APIGatewayProxyEventV2): Promise<Answer> {
  if (event.headers["x-status-page"] !== "replay")
    return json(403, {
      message: "a replay needs the X-Status-Page: replay header (the status page sends it)",
    });
  const replayJob = s.replayJob?.();
  if (!replayJob) return json(409, { message: "replay needs the worker (DynamoDB): it is not running" });
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? "");
  } catch {
    return json(400, { message: 'the body is not JSON: send {"jobId": "..."}' });
  }
  const parsed = ReplayRequestSchema.safeParse(body);
  if (!parsed.success) return json(400, { message: z.prettifyError(parsed.error) });
  const result = await replayJob(parsed.data.jobId);
  return json(200, {
    jobId: parsed.data.jobId,
    replayed: result.replayed.length,
    left: result.left,
  });
}

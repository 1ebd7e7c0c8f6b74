/**
 * Chaos: N lead and ticket events through the whole local stack (ingest over HTTP, SQS emulator, the real worker,
 * DynamoDB Local, the Zoho sandbox, the model server) while a fault schedule injects, in overlapping waves: Zoho
 * 401/429/500/hangs, token-endpoint 5xx, model 429 (retry-after)/5xx/malformed/refusal/slow, duplicate and
 * replayed deliveries, and worker crashes mid-batch (every poller abandons its in-flight batches unacknowledged,
 * as a Lambda timeout does, and fresh pollers take over).
 *
 * Every figure comes from Zoho's side (the sandbox's record of every write, and its records) and the dead-letter
 * queue: an event is written once, written more than once (a duplicate), dead-lettered, or lost (neither). A write
 * is invalid when it leaves the allow-list, carries a value outside the field's picklist, or (CRM) lacks
 * `"trigger": []`; a written event without its audit trail (lead: an audit note; ticket: the audited private
 * comment) is missing its audit.
 *
 * Settings (environment): BENCH_CHAOS_EVENTS (10000), BENCH_CHAOS_TICKET_SHARE (0.4), BENCH_CHAOS_CONCURRENCY
 * (10 pollers of 10 records), BENCH_CHAOS_MODEL_DELAY_MS (150), BENCH_CHAOS_DEADLINE_S (840),
 * BENCH_CHAOS_VISIBILITY_S (60: the work queue's visibility timeout, i.e. the simulated function timeout after
 * which a crashed batch reappears).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ReceiveMessageCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { ModelFault } from "../infra/local/model-server/server.js";
import { crashPollers } from "../infra/local/poller.js";
import { FREE_PORTS, LocalEnvSchema, type LocalStack, startLocalStack } from "../infra/local/stack.js";

type Write = {
  service: string;
  module: string;
  operation: string;
  ids: string[];
  source: string;
  trigger: string[] | null;
  fields: string[][];
};
type Fault = {
  target: "crm" | "desk" | "accounts" | "any";
  kind: 401 | 429 | 500 | "hang";
  count: number;
  hangMs?: number;
};

const LEAD_ALLOW = new Set([
  "AI_ICP_Fit",
  "AI_Intent",
  "AI_Buying_Stage",
  "AI_Score",
  "AI_Score_Reason",
  "AI_Summary",
  "AI_Enriched_At",
  "AI_Audit",
  "Industry",
  "City",
  "Country",
  "Designation",
]);
const TICKET_ALLOW = new Set([
  "cf",
  "cf.cf_ai_summary",
  "cf.cf_ai_sentiment",
  "cf.cf_ai_urgency",
  "cf.cf_ai_category",
]);
const LEAD_PICKLISTS: Record<string, string[]> = {
  AI_ICP_Fit: ["Strong", "Moderate", "Weak"],
  AI_Intent: ["High", "Medium", "Low"],
  AI_Buying_Stage: ["Awareness", "Consideration", "Evaluation", "Decision", "Purchase"],
};
const TICKET_PICKLISTS: Record<string, string[]> = {
  cf_ai_sentiment: ["Positive", "Neutral", "Negative"],
  cf_ai_urgency: ["Low", "Medium", "High", "Critical"],
  cf_ai_category: ["Billing", "Technical", "Account", "Shipping", "Feature Request", "Other"],
};

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

export async function run(): Promise<Record<string, unknown>> {
  const events = Number(process.env.BENCH_CHAOS_EVENTS ?? 10_000);
  const ticketShare = Number(process.env.BENCH_CHAOS_TICKET_SHARE ?? 0.4);
  const concurrency = Number(process.env.BENCH_CHAOS_CONCURRENCY ?? 10);
  const modelDelayMs = Number(process.env.BENCH_CHAOS_MODEL_DELAY_MS ?? 150);
  const deadlineSeconds = Number(process.env.BENCH_CHAOS_DEADLINE_S ?? 840);
  const visibilitySeconds = Number(process.env.BENCH_CHAOS_VISIBILITY_S ?? 60);
  const tickets = Math.round(events * ticketShare);
  const leadsN = events - tickets;
  console.log(
    `chaos: ${events} events (${leadsN} leads, ${tickets} tickets), worker concurrency ${concurrency} x batch 10, model delay ${modelDelayMs} ms, visibility ${visibilitySeconds} s, deadline ${deadlineSeconds} s`,
  );

  const stack = await startLocalStack(
    LocalEnvSchema.parse({ ...FREE_PORTS, WORKER_CONCURRENCY: String(concurrency), WORKER_BATCH_SIZE: "10" }),
    {
      sandbox: { seed: true, creditsPerDay: 100_000_000 },
      // Retries as deployed, only the first delay shortened (1 s instead of 5 s) so a 15-minute run sees them end.
      worker: { RETRY_BASE_MS: "1000", TOKEN_BUDGET_PER_DAY: "100000000000", RECORD_WRITE_CAP: "3" },
      workerExtras: { zohoRetry: { rateLimitRetryAfterMs: 5_000 } },
    },
  );
  try {
    return await drive(stack, {
      events,
      leadsN,
      tickets,
      concurrency,
      modelDelayMs,
      deadlineSeconds,
      visibilitySeconds,
    });
  } finally {
    await stack.stop();
  }
}

async function drive(
  stack: LocalStack,
  s: {
    events: number;
    leadsN: number;
    tickets: number;
    concurrency: number;
    modelDelayMs: number;
    deadlineSeconds: number;
    visibilitySeconds: number;
  },
): Promise<Record<string, unknown>> {
  const sandbox = stack.sandbox as NonNullable<LocalStack["sandbox"]>;
  const model = stack.model as NonNullable<LocalStack["model"]>;
  const api = stack.api?.url as string;

  // The crashed batches reappear after the queue's visibility timeout: the simulated function timeout.
  await stack.sqsClient.send(
    new SetQueueAttributesCommand({
      QueueUrl: stack.queues.workUrl,
      Attributes: { VisibilityTimeout: String(s.visibilitySeconds) },
    }),
  );

  // Every write and every token-endpoint call, beyond the inspection log's cap.
  const inspector = sandbox.state.ctx.inspector;
  const allWrites: Write[] = [];
  const writeOrig = inspector.write.bind(inspector);
  inspector.write = (e) => {
    allWrites.push(e as Write);
    writeOrig(e);
  };
  let tokenCalls = 0;
  let zoho429 = 0;
  const requestOrig = inspector.request.bind(inspector);
  inspector.request = (e) => {
    if (e.service === "accounts" && e.path.includes("/oauth/v2/token")) tokenCalls += 1;
    if (e.status === 429 && e.service !== "accounts") zoho429 += 1;
    requestOrig(e);
  };

  // Records: leads created as a person would (no workflow: the bench delivers the webhooks itself), tickets with
  // the Desk webhook disconnected for the same reason.
  const admin = sandbox.state.crm.users[0]?.id as string;
  const leadIds: string[] = [];
  for (let i = 0; i < s.leadsN; i += 100) {
    const batch = Array.from({ length: Math.min(100, s.leadsN - i) }, (_, k) => ({
      Last_Name: `Chaos${i + k}`,
      Company: `Company ${i + k}`,
      Email: `chaos${i + k}@example.com`,
      Description:
        "Asked for a quote for 40 seats and a demo next week; evaluating two vendors before the budget review.",
    }));
    const res = sandbox.state.crm.write("Leads", "insert", { data: batch, trigger: [] }, admin, "ui");
    leadIds.push(...(res.body as { data: { details: { id: string } }[] }).data.map((d) => d.details.id));
  }
  sandbox.state.desk.webhooks.clear();
  const ticketIds: string[] = [];
  const desk = sandbox.state.desk;
  const contact = desk.contacts[0]?.id;
  for (let i = 0; i < s.tickets; i++) {
    const text = `I was charged twice for invoice ${i}. Please refund the duplicate charge.`;
    const r = desk.createTicket(
      {
        subject: `Refund ${i}`,
        description: text,
        contactId: contact,
        departmentId: desk.departments[0]?.id,
        channel: "Email",
      },
      undefined,
      { from: `c${i}@example.com`, content: text },
    );
    ticketIds.push((r.body as { id: string }).id);
  }
  const leadSet = new Set(leadIds);
  const ticketSet = new Set(ticketIds);

  // Deliveries: one webhook per event, as Zoho sends them.
  type Delivery = { url: string; body: string; headers: Record<string, string>; id: string };
  const deliveries: Delivery[] = [
    ...leadIds.map((id, i) => ({
      id,
      url: `${api}/v1/hooks/crm/lead-enrichment`,
      headers: { "x-mediator-token": stack.webhookToken },
      body: JSON.stringify({
        module: "Leads",
        id,
        modified_time: `2026-11-30T10:00:${String(i % 60).padStart(2, "0")}+00:00`,
      }),
    })),
    ...ticketIds.map((id, i) => ({
      id,
      url: stack.hooks.desk,
      headers: {},
      body: JSON.stringify([
        {
          eventType: "Ticket_Add",
          orgId: desk.orgId,
          eventTime: String(1764496800000 + i),
          payload: { id, subject: `Refund ${i}` },
        },
      ]),
    })),
  ];
  // Interleave leads and tickets, deterministically.
  deliveries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ingest = { sent: 0, accepted: 0, status: {} as Record<string, number> };
  const deliver = async (d: Delivery) => {
    // Rate-limited answers (429, the ingest's per-caller and per-record limits) are waited out as the senders that
    // retry do (Flow, n8n, Desk), honouring Retry-After; they are not counted as attempts.
    for (let attempt = 0, limited = 0; attempt < 5 && limited < 100; ) {
      const res = await fetch(d.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...d.headers },
        body: d.body,
      });
      await res.text();
      ingest.sent += 1;
      ingest.status[res.status] = (ingest.status[res.status] ?? 0) + 1;
      if (res.status < 300) {
        ingest.accepted += 1;
        return;
      }
      if (res.status === 429) {
        limited += 1;
        await sleep(Math.max(1, Number(res.headers.get("retry-after") ?? "1")) * 1000);
        continue;
      }
      // Senders retry a 5xx (Desk, Flow); a 4xx is final.
      if (res.status < 500) return;
      attempt += 1;
    }
  };

  // Outcomes, from Zoho's side and the dead-letter queue.
  const dead = new Map<string, string | undefined>();
  let deadWithoutReason = 0;
  const pollDead = async () => {
    for (;;) {
      const got = await stack.sqsClient.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.queues.deadLetterUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 43_200,
          MessageAttributeNames: ["All"],
        }),
      );
      if (!got.Messages?.length) return;
      for (const m of got.Messages) {
        const reason = m.MessageAttributes?.reason?.StringValue;
        if (!reason) deadWithoutReason += 1;
        try {
          const id = (JSON.parse(m.Body ?? "") as { subject?: { id?: string } }).subject?.id;
          if (id) dead.set(id, reason);
        } catch {
          // A dead letter that is not a work message still counts as without a subject.
        }
      }
    }
  };
  const writtenIds = () => {
    const out = new Set<string>();
    for (const w of allWrites) {
      if (w.source !== "api" || w.operation !== "update") continue;
      if (w.module === "Leads") for (const id of w.ids) if (leadSet.has(id)) out.add(id);
      if (w.service === "desk" && w.module === "tickets")
        for (const id of w.ids) if (ticketSet.has(id)) out.add(id);
    }
    return out;
  };
  const finished = () => {
    const written = writtenIds();
    let n = written.size;
    for (const id of dead.keys()) if (!written.has(id) && (leadSet.has(id) || ticketSet.has(id))) n += 1;
    return n;
  };

  // The fault schedule: waves by the fraction of events finished, overlapping (each wave's faults are consumed by
  // whatever runs next, while the previous wave's are still being retried).
  const sandboxFault = (f: Fault) => sandbox.inject(f as never);
  const modelFault = (...f: ModelFault[]) => model.inject(...f);
  const expire = () => fetch(`${sandbox.url}/_sandbox/tokens/expire`, { method: "POST" });
  let crashes = 0;
  let duplicates = 0;
  let replays = 0;
  const sendAgain = async (list: Delivery[]) => {
    await pool(list, 8, deliver);
  };
  const planned429 = { zoho: 0 };
  const waves: [number, string, () => Promise<void> | void][] = [
    [
      0.03,
      "Zoho 401 on CRM; model 429 retry-after 1 s",
      () => {
        sandboxFault({ target: "crm", kind: 401, count: 1 });
        modelFault({ kind: "429", retryAfter: 1, count: 5 });
      },
    ],
    [
      0.08,
      "Zoho 429 on CRM; model 500",
      () => {
        sandboxFault({ target: "crm", kind: 429, count: 20 });
        planned429.zoho += 20;
        modelFault({ kind: "500", count: 5 }, { kind: "503", count: 3 });
      },
    ],
    [
      0.13,
      "Desk 500; model malformed (truncated)",
      () => {
        sandboxFault({ target: "desk", kind: 500, count: 10 });
        modelFault({ kind: "malformed", variant: "truncated", count: 4 });
      },
    ],
    [
      0.18,
      "Zoho hangs (12 s, past the client timeout); model slow (3 s)",
      () => {
        sandboxFault({ target: "crm", kind: "hang", count: 2, hangMs: 12_000 });
        sandboxFault({ target: "desk", kind: "hang", count: 2, hangMs: 12_000 });
        modelFault({ kind: "slow", delayMs: 3_000, count: 10 });
      },
    ],
    [
      0.23,
      "token endpoint 500 with every token expired",
      async () => {
        sandboxFault({ target: "accounts", kind: 500, count: 2 });
        await expire();
      },
    ],
    [
      0.3,
      "worker crash mid-batch; duplicate deliveries",
      async () => {
        crashes += crashPollers();
        const dup = deliveries.filter((_, i) => i % 37 === 0);
        duplicates += dup.length;
        await sendAgain(dup);
      },
    ],
    [
      0.4,
      "Desk 429; model refusal; CRM 500",
      () => {
        sandboxFault({ target: "desk", kind: 429, count: 20 });
        planned429.zoho += 20;
        modelFault({ kind: "refusal", count: 2 });
        sandboxFault({ target: "crm", kind: 500, count: 10 });
      },
    ],
    [
      0.5,
      "replayed deliveries of finished events",
      async () => {
        const written = writtenIds();
        const replay = deliveries.filter((d, i) => i % 23 === 0 && written.has(d.id));
        replays += replay.length;
        await sendAgain(replay);
      },
    ],
    [
      0.6,
      "Desk 401; model 429 retry-after-ms 500",
      () => {
        sandboxFault({ target: "desk", kind: 401, count: 1 });
        modelFault({ kind: "429", retryAfterMs: 500, count: 5 });
      },
    ],
    [
      0.7,
      "worker crash mid-batch; model malformed (schema)",
      () => {
        crashes += crashPollers();
        modelFault({ kind: "malformed", variant: "schema", count: 2 });
      },
    ],
    [
      0.8,
      "any 500; Desk hang",
      () => {
        sandboxFault({ target: "any", kind: 500, count: 10 });
        sandboxFault({ target: "desk", kind: "hang", count: 2, hangMs: 12_000 });
      },
    ],
  ];

  model.reset();
  model.setDelay(s.modelDelayMs);
  const started = performance.now();
  const deadline = Date.now() + s.deadlineSeconds * 1000;
  const sending = pool(deliveries, 16, deliver);
  let wave = 0;
  let lastLog = 0;
  for (;;) {
    await pollDead();
    const done = finished();
    while (wave < waves.length && done >= (waves[wave]?.[0] ?? 1) * s.events) {
      const [, name, act] = waves[wave] as (typeof waves)[number];
      console.log(`chaos: wave ${wave + 1} at ${done}/${s.events}: ${name}`);
      await act();
      wave += 1;
    }
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      console.log(
        `chaos: ${done}/${s.events} finished after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
    }
    if (done >= s.events || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await sending;
  // Late duplicates: give in-flight work a moment to show any second write, by state, not by time alone.
  const settleUntil = Date.now() + 5_000;
  while (Date.now() < settleUntil) {
    const before = allWrites.length;
    await new Promise((r) => setTimeout(r, 1_000));
    if (allWrites.length === before) break;
  }
  await pollDead();
  const seconds = (performance.now() - started) / 1000;

  // Figures.
  const writeCounts = new Map<string, number>();
  let invalid = 0;
  const WRITABLE = new Set(["crm Leads", "crm Notes", "desk tickets", "desk comments", "desk drafts"]);
  for (const w of allWrites) {
    if (w.source !== "api") continue;
    const key = `${w.service} ${w.module}`;
    if (!WRITABLE.has(key)) {
      invalid += 1;
      continue;
    }
    if (key === "crm Leads") {
      if (w.operation !== "update" || JSON.stringify(w.trigger) !== "[]") invalid += 1;
      else if (!w.fields.every((f) => f.every((k) => LEAD_ALLOW.has(k)))) invalid += 1;
      for (const id of w.ids) if (leadSet.has(id)) writeCounts.set(id, (writeCounts.get(id) ?? 0) + 1);
    }
    if (key === "desk tickets" && w.operation === "update") {
      if (!w.fields.every((f) => f.every((k) => TICKET_ALLOW.has(k)))) invalid += 1;
      for (const id of w.ids) if (ticketSet.has(id)) writeCounts.set(id, (writeCounts.get(id) ?? 0) + 1);
    }
  }
  // Values on the records: every picklist value one of the field's values.
  for (const id of leadIds) {
    const r = sandbox.state.crm.find("Leads", id) as Record<string, unknown> | undefined;
    for (const [f, values] of Object.entries(LEAD_PICKLISTS))
      if (r?.[f] != null && !values.includes(String(r[f]))) invalid += 1;
  }
  for (const id of ticketIds) {
    const cf = (desk.tickets.get(id) as { cf?: Record<string, unknown> } | undefined)?.cf ?? {};
    for (const [f, values] of Object.entries(TICKET_PICKLISTS))
      if (cf[f] != null && !values.includes(String(cf[f]))) invalid += 1;
  }
  // Replies: drafts only; a sent reply is an invalid write.
  invalid += [...desk.threads.values()].filter(
    (t) => t.direction === "out" && t.status !== "DRAFT" && ticketSet.has(t.ticketId),
  ).length;

  // Audit trails: a note on each written lead, the audited private comment on each written ticket.
  const noted = new Set<string>();
  for (const n of sandbox.state.crm.table("Notes").values()) {
    const parent = (n.Parent_Id as { id?: string } | undefined)?.id;
    if (parent && String(n.Note_Content ?? "").includes("zoho-gpt-mediator")) noted.add(parent);
  }
  const comments = new Map<string, number>();
  const drafts = new Map<string, number>();
  for (const c of desk.comments.values())
    if (c.content.includes("zoho-gpt-mediator"))
      comments.set(c.ticketId, (comments.get(c.ticketId) ?? 0) + 1);
  for (const t of desk.threads.values())
    if (t.status === "DRAFT") drafts.set(t.ticketId, (drafts.get(t.ticketId) ?? 0) + 1);

  const written = [...writeCounts.entries()];
  let duplicatesWritten = written.reduce((n, [, c]) => n + Math.max(0, c - 1), 0);
  // A ticket's comment and draft are writes too: more than one of either is a duplicate.
  for (const id of ticketIds)
    duplicatesWritten += Math.max(0, (comments.get(id) ?? 0) - 1) + Math.max(0, (drafts.get(id) ?? 0) - 1);
  const missingAudit = written.filter(([id]) =>
    leadSet.has(id) ? !noted.has(id) : !comments.has(id),
  ).length;
  const isDead = (id: string) => dead.has(id) && !writeCounts.has(id);
  const deadLettered = [...leadIds, ...ticketIds].filter(isDead).length;
  const lost = [...leadIds, ...ticketIds].filter((id) => !writeCounts.has(id) && !dead.has(id)).length;
  const reasons = new Map<string, number>();
  for (const [id, reason] of dead)
    if (isDead(id)) {
      const key = (reason ?? "(no reason)").replace(/[0-9a-f-]{36}|\d{6,}/g, "#").slice(0, 80);
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
  const stats = model.stats();

  return {
    events: s.events,
    leads: s.leadsN,
    tickets: s.tickets,
    concurrency: s.concurrency,
    model_delay_ms: s.modelDelayMs,
    visibility_seconds: s.visibilitySeconds,
    written_once: written.filter(([, c]) => c === 1).length,
    duplicates_written: duplicatesWritten,
    invalid_writes: invalid,
    lost,
    dead_lettered: deadLettered,
    dead_letters_without_reason: deadWithoutReason,
    missing_audit: missingAudit,
    zoho_429_unplanned: Math.max(0, zoho429 - planned429.zoho),
    zoho_429: zoho429,
    token_calls: tokenCalls,
    seconds: +seconds.toFixed(1),
    waves_run: wave,
    worker_crashes: crashes,
    duplicate_deliveries: duplicates,
    replayed_deliveries: replays,
    ingest_requests: ingest.sent,
    ingest_status: ingest.status,
    model_calls: stats.requests,
    model_faults_served: stats.faults_served,
    dead_letter_reasons: Object.fromEntries(reasons),
  };
}

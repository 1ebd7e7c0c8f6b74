/**
 * Webhook burst: the local stack at `npm start`'s default settings (a fresh state directory, as `npm start -- --fresh`;
 * free ports instead of 4000-4050 so a running `npm start` is not disturbed; only the model delay set, to 200 ms)
 * takes 1,000 CRM workflow webhooks at 20 connections, each the request the sandbox's workflow rule for the mediator
 * would send for one of 1,000 new leads (its URL, headers and body template, rendered by the sandbox's own merge
 * code). Measures each ack, then waits until every lead is written back or dead-lettered. The floor is events x model
 * delay / the default bound on parallel model calls (WORKER_CONCURRENCY's default x MODEL_CONCURRENCY's default, read
 * from the settings' schemas). Settings: BENCH_EVENTS (1,000), BENCH_CONNECTIONS (20), BENCH_MODEL_DELAY_MS (200),
 * BENCH_STATE=off (no state directory, unlike `npm start`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FREE_PORTS, LocalEnvSchema, startLocalStack } from "../infra/local/stack.js";
import { WorkerEnvSchema } from "../shared/config/worker-env.js";
import { infraCostPer1k } from "./cost/cost.js";
import { leadUpdatesOf } from "./drain.js";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, digits = 2) => +n.toFixed(digits);

export async function run(): Promise<Record<string, unknown>> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const modelDelayMs = Number(process.env.BENCH_MODEL_DELAY_MS ?? 200);
  // The default bound, from the settings' own defaults (never restated here).
  const invocations = LocalEnvSchema.shape.WORKER_CONCURRENCY.parse(undefined);
  const modelConcurrency = WorkerEnvSchema.shape.MODEL_CONCURRENCY.parse(undefined);
  const bound = invocations * modelConcurrency;

  // npm start keeps its state on disk (snapshots and a queue journal); BENCH_STATE=off measures without it.
  const persist = process.env.BENCH_STATE !== "off";
  const stateDir = await mkdtemp(join(tmpdir(), "webhook-burst-"));
  const stack = await startLocalStack(LocalEnvSchema.parse({ ...FREE_PORTS }), persist ? { stateDir } : {});
  try {
    const sandbox = stack.sandbox as NonNullable<typeof stack.sandbox>;
    const model = stack.model as NonNullable<typeof stack.model>;
    model.reset();
    model.setDelay(modelDelayMs);

    // 1,000 new leads, written without running automation (the bench sends the rule's webhooks itself, at its pace).
    const crm = sandbox.state.crm;
    const admin = crm.users[0]?.id as string;
    const ids: string[] = [];
    for (let i = 0; i < events; i += 100) {
      const batch = Array.from({ length: Math.min(100, events - i) }, (_, k) => ({
        Last_Name: `Burst${i + k}`,
        Company: `Company ${i + k}`,
        Email: `burst${i + k}@example.com`,
        Description: "Wants 25 seats from next quarter; asked about SSO and the EU data centre.",
      }));
      const res = crm.write("Leads", "insert", { data: batch, trigger: [] }, admin, "ui");
      ids.push(...(res.body as { data: { details: { id: string } }[] }).data.map((d) => d.details.id));
    }

    // The request the mediator's workflow rule sends for a lead, as the sandbox's automation renders it.
    const automation = sandbox.state.automation;
    const rule = automation.rules.find((r) => r.webhook.url.includes("/v1/hooks/crm/lead-enrichment"));
    const leads = automation.modules.get("Leads");
    if (!rule || !leads) throw new Error("the sandbox has no lead-enrichment workflow rule");
    const requestFor = (id: string): { url: string; init: RequestInit } => {
      const { url, ...init } = automation.webhookRequest(rule, leads, crm.table("Leads").get(id) ?? {});
      return { url, init };
    };
    const requests = ids.map(requestFor);

    const before = sandbox.inspect().counts as { requests: number; status_429: number };
    stack.meter.reset();
    const acks: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const { url, init } = requests[i] as { url: string; init: RequestInit };
          const t = performance.now();
          const res = await fetch(url, init);
          await res.arrayBuffer();
          acks.push(performance.now() - t);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const ackSeconds = (performance.now() - started) / 1000;

    const idSet = new Set(ids);
    const written = () => leadUpdatesOf(sandbox, idSet);
    let deadLettered = 0;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      deadLettered = stack.deadLetters().length;
      if (written().size + deadLettered >= events || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const allWritten = (performance.now() - started) / 1000;
    // The last invocations are still acknowledging their messages: their time counts once they end.
    const settleBy = Date.now() + 60_000;
    while (stack.meter.inFlight() > 0 && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 20));
    const meter = stack.meter.snapshot();
    const counts = written();
    const after = sandbox.inspect().counts as { requests: number; status_429: number };
    acks.sort((a, b) => a - b);
    const floor = (events * modelDelayMs) / 1000 / bound;
    return {
      ack_p50_ms: round(percentile(acks, 50)),
      ack_p99_ms: round(percentile(acks, 99)),
      acks_per_s: round(events / ackSeconds, 1),
      all_written_s: round(allWritten),
      floor_s: round(floor),
      lost: events - counts.size - deadLettered,
      duplicates_written: [...counts.values()].reduce((n, c) => n + (c - 1), 0),
      zoho_429: after.status_429 - before.status_429,
      ratio: round(allWritten / floor, 3),
      events,
      connections,
      state_on_disk: persist,
      model_delay_ms: modelDelayMs,
      bound,
      worker_concurrency: invocations,
      model_concurrency: modelConcurrency,
      ack_statuses: Object.fromEntries(statuses),
      written: counts.size,
      dead_lettered: deadLettered,
      zoho_calls_per_event: round((after.requests - before.requests) / events, 3),
      infra_usd_per_1k_events: +infraCostPer1k(meter, events).toPrecision(4),
    };
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

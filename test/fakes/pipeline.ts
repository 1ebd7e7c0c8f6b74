/**
 * The pipeline over port fakes: an org with the demo's lead and Desk fields, a lead and a ticket per test, an
 * in-memory job store and ledger, a scripted model. `run(...)` sends deliveries through one batch.
 */
import { randomUUID } from "node:crypto";
import { parseDeskFields } from "../../shared/adapters/zoho/field-metadata-wire.js";
import { createLogger } from "../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../shared/pipeline/field-metadata-cache.js";
import {
  type Decision,
  makePipeline,
  type PipelineConfig,
  type PipelineDeps,
  type ProgressEvent,
  type WorkRecord,
} from "../../shared/pipeline/index.js";
import { DEMO_DESK_BODY, DEMO_LEADS } from "../fixtures/orgs/orgs.js";
import { MemoryJobStore, MemoryLedger } from "../helpers/fakes/memory-job-store.js";
import { FakeClock } from "./clock.js";
import { FakeLlm } from "./llm.js";
import { FakeMetrics } from "./metrics.js";
import { FakeZohoBooks } from "./zoho-books.js";
import { FakeZohoCreator } from "./zoho-creator.js";
import { FakeZohoCrm } from "./zoho-crm.js";
import { FakeZohoDesk } from "./zoho-desk.js";

export const LEAD_ANSWER = {
  industry: null,
  city: null,
  country: null,
  designation: null,
  icp_fit: "Strong",
  intent: "High",
  buying_stage: "Decision",
  score: 81,
  score_reason: "Budget approved.",
  summary: "Wants to buy.",
};

export const TICKET_ANSWER = {
  summary: "The customer was charged twice.",
  sentiment: "Negative",
  urgency: "High",
  category: "Billing",
  suggested_reply: "Sorry about the double charge; we are refunding it.",
};

export const TEST_CONFIG: PipelineConfig = {
  modelFor: () => "test-model",
  maxReceiveCount: 5,
  maxDeferrals: 10,
  recordWriteCap: 3,
  tokenBudgetPerDay: () => Number.POSITIVE_INFINITY,
  creditsLowWater: 0,
  audit: { mode: "note", field: "AI_Audit" },
  quarantineNote: true,
  sendReplies: { enabled: false, fromAddress: null },
  price: () => ({ prompt: 0, completion: 0 }),
  leaseMs: 60_000,
  retryBaseMs: 1_000,
  waitRecheckMs: 20_000,
};

export const LEAD_ID = "4000000000001";
export const TICKET_ID = "7000000000001";

export class PipelineHarness {
  readonly clock = new FakeClock();
  readonly crm = new FakeZohoCrm();
  readonly desk = new FakeZohoDesk();
  readonly creator = new FakeZohoCreator();
  readonly books = new FakeZohoBooks();
  readonly jobs = new MemoryJobStore(() => this.clock.now());
  readonly ledger = new MemoryLedger();
  readonly metrics = new FakeMetrics();
  readonly metadata = new FieldMetadataCache(this.clock);
  readonly progress: ProgressEvent[] = [];
  readonly llm = new FakeLlm((request) =>
    request.schemaName === "ticket_triage" ? TICKET_ANSWER : LEAD_ANSWER,
  );
  config: PipelineConfig = { ...TEST_CONFIG };
  /** Connections the harness serves; any other is a configuration error, as in a deployment. */
  connections = new Set(["default"]);

  constructor() {
    this.crm.moduleFields.set("Leads", DEMO_LEADS);
    this.desk.moduleFields.set("tickets", parseDeskFields(DEMO_DESK_BODY));
    this.crm.put("Leads", { id: LEAD_ID, Last_Name: "Lovelace", Company: "Analytical Engines" });
    this.desk.put({ id: TICKET_ID, subject: "Charged twice", email: "ada@example.com", departmentId: "9" }, [
      { id: "8000000000001", direction: "in", content: "<p>You charged me twice.</p>" },
    ]);
    this.desk.addresses = [
      { address: "support@example.com", isActive: true, isDefault: false, departmentId: "9" },
    ];
  }

  pipeline(over: Partial<PipelineDeps> = {}) {
    return makePipeline({
      llm: this.llm,
      jobs: this.jobs,
      ledger: this.ledger,
      metadata: this.metadata,
      zohoFor: (connection) => {
        if (!this.connections.has(connection)) throw new Error(`no connection ${connection}`);
        return { crm: this.crm, desk: this.desk, creator: this.creator, books: this.books };
      },
      clock: this.clock,
      logger: createLogger("test"),
      metrics: this.metrics,
      config: this.config,
      progress: (e) => this.progress.push(e),
      ...over,
    });
  }

  /** One batch of deliveries through a fresh pipeline (as a new container would run it). */
  run(...records: WorkRecord[]): Promise<Decision[]> {
    return this.pipeline()(records);
  }
}

/** A work message of lead enrichment for `id`; each `edit` is another trigger (dedup key) of the same record. */
export const leadMessage = (id = LEAD_ID, edit = "t1", over: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    jobId: randomUUID(),
    useCase: "lead-enrichment",
    connection: "default",
    source: "crm-workflow",
    dedupKey: `crm:Leads:${id}:${edit}`,
    receivedAt: "2026-11-30T09:59:00.000Z",
    subject: { service: "crm", module: "Leads", id },
    input: { module: "Leads", id },
    ...over,
  });

export const ticketMessage = (id = TICKET_ID, edit = "t1") =>
  JSON.stringify({
    v: 1,
    jobId: randomUUID(),
    useCase: "ticket-triage",
    connection: "default",
    source: "desk-webhook",
    dedupKey: `desk:${id}:${edit}`,
    receivedAt: "2026-11-30T09:59:00.000Z",
    subject: { service: "desk", module: "tickets", id },
    input: { ticketId: id, eventType: "Ticket_Add" },
  });

let n = 0;
export const delivery = (body: string, receiveCount = 1, extra: Partial<WorkRecord> = {}): WorkRecord => ({
  messageId: `m-${++n}`,
  body,
  receiveCount,
  deferrals: 0,
  ...extra,
});

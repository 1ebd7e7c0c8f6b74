/**
 * In-memory JobStore and Ledger with the same state machine and conditions as the DynamoDB adapters (in progress
 * -> done | dead-lettered; dead-lettered -> replaying once per dead letter id; leases; conditional counters), for
 * worker tests that need no DynamoDB. `failNext` makes the next call of a method fail as DynamoDB would.
 */
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import type {
  ClaimRequest,
  ClaimResult,
  JobStatus,
  JobStore,
  StoredPlan,
} from "../../../shared/ports/job-store.js";
import type { Ledger, UsageRow } from "../../../shared/ports/ledger.js";
import type { LlmUsage } from "../../../shared/ports/llm.js";

type Status = "IN_PROGRESS" | "REPLAYING" | "DONE" | "DEAD_LETTERED";
export interface MemoryJob {
  status: Status;
  leaseUntil: number;
  plan?: StoredPlan;
  reason?: string;
  deadLetterId?: string | undefined;
  messageId?: string;
  outcome?: Record<string, unknown>;
}

const dynamoDown = () => new UpstreamUnavailableError("aws", "DynamoDB job store call failed (test)");

export class MemoryJobStore implements JobStore {
  readonly items = new Map<string, MemoryJob>();
  /** Methods whose next call fails (each entry is used once). */
  readonly failNext: (keyof JobStore)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  private fail(method: keyof JobStore) {
    const i = this.failNext.indexOf(method);
    if (i >= 0) {
      this.failNext.splice(i, 1);
      throw dynamoDown();
    }
  }

  /** Job ids to their keys, as the DynamoDB store's pointers. */
  readonly refs = new Map<string, string>();

  async statusOf(jobId: string): Promise<JobStatus | null> {
    this.fail("statusOf");
    const key = this.refs.get(jobId);
    const item = key ? this.items.get(key) : undefined;
    if (!item) return null;
    const status = (
      {
        IN_PROGRESS: "in-progress",
        REPLAYING: "replaying",
        DONE: "done",
        DEAD_LETTERED: "dead-lettered",
      } as const
    )[item.status];
    return {
      jobId,
      connection: (key ?? "").split("|")[0] ?? "",
      status,
      ...(item.status === "DEAD_LETTERED" ? { reason: item.reason ?? "dead-lettered" } : {}),
      ...(item.outcome ? { outcome: item.outcome } : {}),
      dedupKey: (key ?? "").slice((key ?? "").indexOf("|") + 1),
      ...(item.plan ? { plan: structuredClone(item.plan) } : {}),
      ...(item.deadLetterId ? { deadLetterId: item.deadLetterId } : {}),
    };
  }

  async claim(
    key: string,
    jobId: string,
    leaseMs: number,
    options: { replayId?: string } = {},
  ): Promise<ClaimResult> {
    this.fail("claim");
    this.refs.set(jobId, key);
    const item = this.items.get(key);
    const plan = item?.plan ? { plan: structuredClone(item.plan) } : {};
    if (item?.status === "DEAD_LETTERED" && options.replayId && item.deadLetterId === options.replayId) {
      this.items.set(key, {
        ...item,
        status: "REPLAYING",
        leaseUntil: this.now() + leaseMs,
        deadLetterId: undefined,
      });
      return { status: "claimed", ...plan, replay: true };
    }
    if (
      !item ||
      ((item.status === "IN_PROGRESS" || item.status === "REPLAYING") && item.leaseUntil < this.now())
    ) {
      const status = item?.status ?? "IN_PROGRESS";
      this.items.set(key, { ...item, status, leaseUntil: this.now() + leaseMs });
      return { status: "claimed", ...plan, ...(status === "REPLAYING" ? { replay: true } : {}) };
    }
    if (item.status === "DONE") return { status: "done" };
    if (item.status === "DEAD_LETTERED")
      return {
        status: "dead-lettered",
        reason: item.reason ?? "",
        deadLetterId: item.deadLetterId ?? "",
        messageId: item.messageId ?? "",
      };
    return { status: "busy" };
  }

  async claimMany(requests: readonly ClaimRequest[], leaseMs: number): Promise<ClaimResult[]> {
    this.fail("claimMany");
    const out: ClaimResult[] = [];
    for (const r of requests)
      out.push(await this.claim(r.key, r.jobId, leaseMs, r.replayId ? { replayId: r.replayId } : {}));
    return out;
  }
  async savePlans(entries: readonly { key: string; plan: StoredPlan }[]) {
    this.fail("savePlans");
    for (const e of entries) await this.savePlan(e.key, e.plan);
  }
  async completeMany(entries: readonly { key: string; outcome: Record<string, unknown> }[]) {
    this.fail("completeMany");
    for (const e of entries) await this.complete(e.key, e.outcome);
  }
  async savePlan(key: string, plan: StoredPlan) {
    this.fail("savePlan");
    const item = this.items.get(key);
    if (item) item.plan = structuredClone(plan);
  }

  async complete(key: string, outcome: Record<string, unknown>) {
    this.fail("complete");
    const item = this.items.get(key);
    // The plan stays as the job's record (`jobs show`), as in the DynamoDB store.
    this.items.set(key, {
      status: "DONE",
      leaseUntil: 0,
      outcome,
      ...(item?.plan ? { plan: item.plan } : {}),
    });
  }

  async release(key: string) {
    this.fail("release");
    const item = this.items.get(key);
    if (item && (item.status === "IN_PROGRESS" || item.status === "REPLAYING")) item.leaseUntil = 0;
  }

  async deadLetter(key: string, deadLetter: { reason: string; deadLetterId: string; messageId: string }) {
    this.fail("deadLetter");
    const item = this.items.get(key);
    this.items.set(key, { ...item, status: "DEAD_LETTERED", leaseUntil: 0, ...deadLetter });
  }
}

export class MemoryLedger implements Ledger {
  readonly writes = new Map<string, number>();
  readonly usage = new Map<string, number>();

  async countRecordWrite(recordKey: string, day: string, cap: number) {
    const k = `${recordKey}#${day}`;
    const n = this.writes.get(k) ?? 0;
    if (n >= cap) return false;
    this.writes.set(k, n + 1);
    return true;
  }
  async countRecordWrites(entries: readonly { recordKey: string; day: string; cap: number }[]) {
    const out: boolean[] = [];
    for (const e of entries) out.push(await this.countRecordWrite(e.recordKey, e.day, e.cap));
    return out;
  }
  async uncountRecordWrite(recordKey: string, day: string) {
    const k = `${recordKey}#${day}`;
    const n = this.writes.get(k) ?? 0;
    if (n > 0) this.writes.set(k, n - 1);
  }
  /** The write count of a record key today (any day, summed). */
  count(recordKey: string): number {
    return [...this.writes.entries()]
      .filter(([k]) => k.startsWith(`${recordKey}#`))
      .reduce((sum, [, n]) => sum + n, 0);
  }
  async tokensSpent(useCase: string, day: string) {
    return this.usage.get(`${useCase}#${day}`) ?? 0;
  }
  /** The usage rows as the DynamoDB ledger keeps them (use case and day -> sums). */
  readonly rows = new Map<string, UsageRow>();
  async addUsage(useCase: string, day: string, usage: LlmUsage, costMicros = 0, calls = 1) {
    const k = `${useCase}#${day}`;
    this.usage.set(k, (this.usage.get(k) ?? 0) + usage.promptTokens + usage.completionTokens);
    const row = this.rows.get(k) ?? {
      useCase,
      day,
      promptTokens: 0,
      completionTokens: 0,
      costMicros: 0,
      calls: 0,
    };
    row.promptTokens += usage.promptTokens;
    row.completionTokens += usage.completionTokens;
    row.costMicros += Math.round(costMicros);
    row.calls += calls;
    this.rows.set(k, row);
  }
  async usageBetween(fromDay: string, toDay: string): Promise<UsageRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.day >= fromDay && r.day <= toDay)
      .map((r) => ({ ...r }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.useCase.localeCompare(b.useCase));
  }
}

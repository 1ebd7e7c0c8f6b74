/**
 * Per-caller and per-record rate limits at ingest: a noisy record or caller is answered 429 with `Retry-After`
 * and nothing is enqueued, before it can cost a model call.
 *
 * Where the counters live, with the latency target in mind (ingest p50 at most 1.5x a bare SendMessage):
 * - First, token buckets in the container: microseconds, no network. They bound a caller and a record per
 *   container.
 * - Then, for records only, a shared counter (DynamoDB, one conditional ADD) consulted only when this container
 *   has already seen the record within its window: a record's first trigger, which is nearly every trigger, costs
 *   nothing extra; a record triggered again and again pays one small write per repeat, and is then counted across
 *   all containers. So a record flooded through many containers is still bounded globally (to the limit plus at
 *   most one uncounted first sighting per warm container).
 * - Callers are not counted in the shared store: a busy legitimate caller (CRM mass update) is "hot" on every
 *   request, and a write per request would cost more than the whole ingest. The per-caller bound is therefore per
 *   container (the limit times the warm containers, few for a millisecond handler); the worker's per-record cap
 *   and budgets, checked before each model call, are the global backstop.
 * If the shared counter cannot be reached, the request passes (fail open, logged): refusing good triggers because a
 * guard's store hiccuped would lose CRM events, which are never retried.
 * The bucket map is bounded (least recently used keys are forgotten first), so a flood of distinct keys cannot grow
 * memory without limit.
 */
import { WorkMustWaitError } from "../errors.js";

export interface BucketRule {
  /** Burst: requests allowed at once. */
  capacity: number;
  /** Sustained rate: tokens added per second. */
  refillPerSecond: number;
}

export interface IngestLimits {
  /** Per authenticated caller (credential + connection + route). */
  caller: BucketRule;
  /** Per Zoho record or ticket (connection + module + id). */
  record: BucketRule;
}

/**
 * Defaults: a caller may send 3,000 at once and 50 a second after that (a CRM mass update fires one webhook per
 * record, and CRM does not retry a refused workflow webhook, so the caller limit is generous); one record may be
 * triggered 10 times at once and once every 6 seconds after that (no real edit rhythm needs more).
 */
export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  caller: { capacity: 3_000, refillPerSecond: 50 },
  record: { capacity: 10, refillPerSecond: 1 / 6 },
};

/** Keys the limiter tracks at most; beyond it the least recently used are dropped. */
const MAX_KEYS = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

export interface LimitKey {
  kind: "caller" | "record";
  key: string;
  /** How many tokens this request takes (a notification with 100 ids takes 100 from its caller). */
  cost?: number;
}

/**
 * A counter shared by every container: adds one to `key` in the fixed window starting at `windowStart` (epoch
 * seconds) unless the count already reached `limit`; answers whether it was added.
 */
export interface SharedCounter {
  increment(key: string, windowStart: number, windowSeconds: number, limit: number): Promise<boolean>;
}

/** The window of a rule's shared count: the time a full bucket takes to refill. */
export const sharedWindowSeconds = (rule: BucketRule): number =>
  Math.max(1, Math.ceil(rule.capacity / rule.refillPerSecond));

/** In-container token buckets over a Map (never a plain object: keys come from callers). */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: IngestLimits,
    private readonly now: () => number,
  ) {}

  /**
   * Takes a token from every key's bucket, all or nothing. When any bucket is short, nothing is taken and a
   * WorkMustWaitError says which kind of limit was hit and when to come back. Returns the keys this container
   * has seen within their window before (the ones worth counting in a shared store).
   */
  take(keys: LimitKey[]): LimitKey[] {
    const t = this.now();
    const plan: [string, Bucket, number][] = [];
    const repeated: LimitKey[] = [];
    for (const k of keys) {
      const rule = this.limits[k.kind];
      const id = `${k.kind}\u0000${k.key}`;
      // A request never needs more than a full bucket, or it could never pass.
      const cost = Math.min(k.cost ?? 1, rule.capacity);
      const b = this.buckets.get(id);
      const tokens = b
        ? Math.min(rule.capacity, b.tokens + ((t - b.at) / 1000) * rule.refillPerSecond)
        : rule.capacity;
      if (tokens < cost) {
        const waitSeconds = Math.max(1, Math.ceil((cost - tokens) / rule.refillPerSecond));
        throw new WorkMustWaitError(
          k.kind === "record"
            ? "too many triggers for this record: try again later"
            : "too many triggers from this caller: try again later",
          { retryAfterMs: waitSeconds * 1000 },
        );
      }
      plan.push([id, { tokens, at: t }, cost]);
      // Seen here before and not yet back to a full bucket: a repeat within the window.
      if (b && tokens < rule.capacity) repeated.push(k);
    }
    for (const [id, b, cost] of plan) {
      this.buckets.delete(id); // re-insert: Map order is the recency order
      this.buckets.set(id, { tokens: b.tokens - cost, at: b.at });
    }
    while (this.buckets.size > MAX_KEYS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
    return repeated;
  }
}

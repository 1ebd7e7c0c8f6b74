/**
 * Creator's API limits (notes §1.8, checklist item 13): a daily Developer API count per account by plan (answered
 * HTTP 200 code 4000, reset at midnight in the account's time zone), and per-minute and concurrency limits
 * (answered 429 code 2955, with no Retry-After). The minute windows and calls in flight are about this run only.
 */
import type { Reply, SandboxContext } from "../state.js";
import { dayIn } from "./dates.js";
import { CREATOR_PLAN_DAILY_CALLS } from "./options.js";
import { DAILY_LIMIT, MINUTE_LIMIT } from "./replies.js";

const MINUTE_MS = 60_000;

export class CreatorLimits {
  readonly #minute = new Map<string, number[]>();
  readonly #inflight = new Map<string, number>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly usage: () => Map<string, { day: string; calls: number }>,
  ) {}

  /** The account's Developer API calls per day: the plan's figure per user (the free plan's is per account). */
  dailyLimit(): number {
    const { creatorPlan, creatorUsers } = this.ctx.options;
    return CREATOR_PLAN_DAILY_CALLS[creatorPlan] * (creatorPlan === "free" ? 1 : Math.max(1, creatorUsers));
  }

  /**
   * Checks one call against the account's daily count, the caller's minute window and the account's calls in
   * flight, and counts it when admitted; `release` ends the call.
   */
  admit(
    account: { owner: string; timeZone: string },
    user: string,
    endpoint: string,
  ): { reply: Reply } | { release: () => void } {
    const { options, clock } = this.ctx;
    const now = clock.now();
    const day = dayIn(now, account.timeZone);
    const usage = this.usage();
    const today = usage.get(account.owner);
    const count = today?.day === day ? today : { day, calls: 0 };
    if (count.calls >= this.dailyLimit()) return { reply: DAILY_LIMIT() };

    const key = options.creatorPerMinuteKey === "user" ? user : `${user} ${endpoint}`;
    const window = (this.#minute.get(key) ?? []).filter((t) => t > now - MINUTE_MS);
    this.#minute.set(key, window);
    if (window.length >= options.creatorPerMinuteLimit) return { reply: MINUTE_LIMIT() };

    const inflight = this.#inflight.get(account.owner) ?? 0;
    if (inflight >= options.creatorConcurrencyLimit) return { reply: MINUTE_LIMIT() };

    count.calls += 1;
    usage.set(account.owner, count);
    window.push(now);
    this.#inflight.set(account.owner, inflight + 1);
    return {
      release: () => this.#inflight.set(account.owner, (this.#inflight.get(account.owner) ?? 1) - 1),
    };
  }
}

/**
 * The ask stage: the model calls of a unit with structured output, each with one repair attempt when the answer
 * fails its schema (the second failure dead-letters the unit). One call (`prompt()`/`schemaFor()`), or as many as
 * a use case's `answer` makes (map-reduce over chunks, a call per page). Every `llm.ask` waits for a slot of the
 * invocation's limiter (`modelConcurrency` for all units of the batch), so a unit's calls run as soon as one is free.
 * Every call's usage goes to the usage book and, with its label and cost, to the unit's list of calls (failed
 * attempts too).
 */
import type * as z from "zod";
import { utcDay } from "../domain/budgets.js";
import { costMicrosOf } from "../domain/model-prices.js";
import { LlmOutputError, WorkMustWaitError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { LlmUsage } from "../ports/llm.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { ModelAsk, ModelImage, UseCaseWork } from "../use-cases/descriptor.js";
import type { UsageBook } from "./budget.js";
import { ModelOutputRejected } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import type { ProgressReport } from "./progress.js";

/** Model calls of one invocation at once unless `MODEL_CONCURRENCY` says otherwise (the worker's setting's default). */
/** Runs a model call within the invocation's bound (a p-limit, or one that also refuses calls past the cutoff). */
export type ModelLimit = <T>(call: () => PromiseLike<T> | T) => Promise<T>;

/**
 * `limit`, refusing a call that would start `cutoffMs` or more after the batch began (a call still queued for a slot
 * then): its unit is deferred (`WorkMustWaitError`, re-sent in a second) instead of outliving the function, whose
 * timeout would otherwise fail the whole batch and waste every finished call. No cutoff: `limit` itself.
 */
export function cutoffLimit(limit: ModelLimit, cutoffMs: number | undefined, clock: Clock): ModelLimit {
  if (cutoffMs === undefined) return limit;
  const cutoff = clock.now() + cutoffMs;
  return (call) =>
    limit(() => {
      if (clock.now() >= cutoff)
        throw new WorkMustWaitError(
          `the batch reached its cutoff (${Math.round(cutoffMs / 1000)} s) before this unit's model call`,
          { retryAfterMs: 1_000 },
        );
      return call();
    });
}

export const DEFAULT_MODEL_CONCURRENCY = 5;

/** One model call of a unit: what it was for and what it cost. */
export interface ModelCall {
  label: string;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface Answer {
  output: Record<string, unknown>;
  model: string;
  /** Tokens of every call for this unit, the failed attempts included. */
  usage: LlmUsage;
  /** Each call (a repaired call is one entry with both attempts' tokens). */
  calls: ModelCall[];
}

/** The label of the single call of a use case without `answer`. */
export const SINGLE_CALL_LABEL = "answer";

export async function askModel(
  deps: Pick<PipelineDeps, "llm" | "clock" | "metrics" | "config">,
  usageBook: UsageBook,
  report: ProgressReport,
  /** The invocation's bound on model calls: each `llm.ask` (each attempt) takes a slot for its own duration only. */
  modelLimit: ModelLimit,
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds use cases whose input and context types differ
  work: Pick<UseCaseWork<any, any>, "schemaFor" | "prompt" | "answer">,
  loaded: unknown,
  message: WorkMessage,
): Promise<Answer> {
  const model = deps.config.modelFor(message.useCase);
  const price = deps.config.price(model);
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  const calls: ModelCall[] = [];
  const record = (call: ModelCall, u: LlmUsage) => {
    const costMicros = costMicrosOf(u, price);
    usage.promptTokens += u.promptTokens;
    usage.completionTokens += u.completionTokens;
    call.promptTokens += u.promptTokens;
    call.completionTokens += u.completionTokens;
    call.costMicros += costMicros;
    usageBook.add(message.useCase, utcDay(deps.clock.now()), u, costMicros);
    // The dashboard's tokens and cost per use case (whole millionths of a dollar: EMF values are plain numbers).
    deps.metrics.count("ModelTokens", u.promptTokens + u.completionTokens, { useCase: message.useCase });
    deps.metrics.count("ModelCostMicros", Math.round(costMicros), { useCase: message.useCase });
  };
  let answeredBy = model;

  async function once(request: {
    label: string;
    system: string;
    user: string;
    schema: z.ZodType;
    images?: ModelImage[] | undefined;
  }): Promise<Record<string, unknown>> {
    const call: ModelCall = { label: request.label, promptTokens: 0, completionTokens: 0, costMicros: 0 };
    calls.push(call);
    let repairHint: string | undefined;
    for (let attempt = 0; ; attempt++) {
      // Set when the call gets its slot: the latency is the model's, not the wait for a slot.
      let started = deps.clock.now();
      // Each answer's time, kept or not (a rejected answer took as long); its Average per use case is the latency.
      const timed = () =>
        deps.metrics.count("ModelLatencyMs", Math.max(0, deps.clock.now() - started), {
          useCase: message.useCase,
        });
      try {
        const result = await modelLimit(() => {
          started = deps.clock.now();
          return deps.llm.ask({
            model,
            system: request.system,
            user: request.user,
            schema: request.schema,
            schemaName: message.useCase.replace(/-/g, "_"),
            label: request.label,
            ...(request.images?.length ? { images: request.images } : {}),
            ...(repairHint ? { repairHint } : {}),
          });
        });
        timed();
        record(call, result.usage);
        answeredBy = result.model;
        return result.value as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof LlmOutputError)) throw error;
        timed();
        const spent = (error as { usage?: LlmUsage }).usage;
        if (spent) record(call, spent);
        if (attempt === 1)
          throw new ModelOutputRejected(
            `model output failed twice${request.label === SINGLE_CALL_LABEL ? "" : ` (${request.label})`}: ${error.message}`,
          );
        repairHint = error.message;
        deps.metrics.count("ModelRepairAttempt", 1, { useCase: message.useCase });
      }
    }
  }

  report(message, "model", model);
  let output: Record<string, unknown>;
  if (work.answer) {
    // No slot around a map call itself: its `llm.ask` takes one (holding one here while it waits would deadlock).
    const ask: ModelAsk = (request) => once(request) as never;
    output = await work.answer(ask, loaded);
  } else {
    output = await once({ label: SINGLE_CALL_LABEL, schema: work.schemaFor(loaded), ...work.prompt(loaded) });
  }
  return { output, model: answeredBy, usage, calls };
}

/** The refusal of a unit over its use case's per-event token budget, or undefined when it fits (or has none). */
export function overEventBudget(
  useCase: string,
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds use cases whose input and context types differ
  work: Pick<UseCaseWork<any, any>, "tokenBudgetPerEvent" | "estimateTokens">,
  loaded: unknown,
): string | undefined {
  if (work.tokenBudgetPerEvent === undefined || !work.estimateTokens) return undefined;
  const estimate = Math.ceil(work.estimateTokens(loaded));
  return estimate > work.tokenBudgetPerEvent
    ? `input of about ${estimate} tokens is over ${useCase}'s budget of ${work.tokenBudgetPerEvent} tokens per event`
    : undefined;
}

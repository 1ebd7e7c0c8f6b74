/**
 * A model behind the `Llm` port: answers from a script (a value, or an error to throw), one entry per call, then
 * the default answer (which sees the request, its `label` included, so it can answer per label); records every
 * request and the most calls it had in flight at once. Answers are not checked against the request's schema, so
 * a test can hand the write guard what structured output would have refused.
 */
import type * as z from "zod";
import type { Llm, LlmRequest, LlmResult } from "../../shared/ports/llm.js";

export type Scripted = { value: Record<string, unknown> } | { error: Error };

export class FakeLlm implements Llm {
  readonly requests: LlmRequest<z.ZodType>[] = [];
  readonly script: Scripted[] = [];
  /** Scripted answers for calls with this label (used before `script`), one entry per call. */
  readonly byLabel = new Map<string, Scripted[]>();
  /** Calls in flight now, and the most at once (a test of the pipeline's model concurrency). */
  inFlight = 0;
  maxInFlight = 0;
  /** When set, each call waits for this before answering (lets calls overlap, to count them). */
  gate: (() => Promise<void>) | undefined;

  constructor(
    private readonly answer: (request: LlmRequest<z.ZodType>) => Record<string, unknown>,
    private readonly usage = { promptTokens: 100, completionTokens: 20 },
  ) {}

  get calls(): number {
    return this.requests.length;
  }

  async ask<T extends z.ZodType>(request: LlmRequest<T>): Promise<LlmResult<z.infer<T>>> {
    this.requests.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate();
    } finally {
      this.inFlight -= 1;
    }
    const labelled = request.label !== undefined ? this.byLabel.get(request.label)?.shift() : undefined;
    const next = labelled ?? this.script.shift();
    if (next && "error" in next) throw next.error;
    const value = next ? next.value : this.answer(request);
    // Unchecked against the schema on purpose: tests hand the guard values structured output would not allow.
    return { value: value as z.infer<T>, usage: { ...this.usage }, model: request.model };
  }
}

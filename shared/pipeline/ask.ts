/**
 * The ask stage: the model call with structured output, and one repair attempt when the answer fails its schema
 * (the second failure dead-letters the unit). Every call's usage goes to the usage book, failed ones too.
 */
import type * as z from "zod";
import { utcDay } from "../domain/budgets.js";
import { LlmOutputError } from "../errors.js";
import type { LlmUsage } from "../ports/llm.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { UsageBook } from "./budget.js";
import { ModelOutputRejected } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import type { ProgressReport } from "./progress.js";

export interface Answer {
  output: Record<string, unknown>;
  model: string;
  /** Tokens of every call for this unit, the failed attempt included. */
  usage: LlmUsage;
}

export async function askModel(
  deps: Pick<PipelineDeps, "llm" | "clock" | "metrics" | "config">,
  usageBook: UsageBook,
  report: ProgressReport,
  schema: z.ZodType<Record<string, unknown>>,
  message: WorkMessage,
  prompt: { system: string; user: string },
): Promise<Answer> {
  const model = deps.config.modelFor(message.useCase);
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  const record = (u: LlmUsage) => {
    usage.promptTokens += u.promptTokens;
    usage.completionTokens += u.completionTokens;
    const price = deps.config.price(model);
    usageBook.add(
      message.useCase,
      utcDay(deps.clock.now()),
      u,
      (u.promptTokens * price.prompt + u.completionTokens * price.completion) / 1e6,
    );
  };
  report(message, "model", model);
  let repairHint: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await deps.llm.ask({
        model,
        ...prompt,
        schema,
        schemaName: message.useCase.replace(/-/g, "_"),
        ...(repairHint ? { repairHint } : {}),
      });
      record(result.usage);
      return { output: result.value, model: result.model, usage };
    } catch (error) {
      if (!(error instanceof LlmOutputError)) throw error;
      const spent = (error as { usage?: LlmUsage }).usage;
      if (spent) record(spent);
      if (attempt === 1) throw new ModelOutputRejected(`model output failed twice: ${error.message}`);
      repairHint = error.message;
      deps.metrics.count("ModelRepairAttempt", 1, { useCase: message.useCase });
    }
  }
}

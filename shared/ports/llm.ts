import type * as z from "zod";

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  /**
   * Of `promptTokens`, how many the provider served from its prompt cache (OpenAI's
   * `usage.prompt_tokens_details.cached_tokens`), priced at the model's cached-input rate. Absent when the provider
   * does not say.
   */
  cachedPromptTokens?: number;
}

export interface LlmRequest<T extends z.ZodType> {
  model: string;
  /** Instructions. Never contains untrusted text. */
  system: string;
  /** The data to work on, clearly delimited; untrusted text only ever goes here. */
  user: string;
  /** Strict structured output schema. */
  schema: T;
  schemaName: string;
  /** What this call is within its unit ("chunk 3/12", "reduce"), when a use case makes several. */
  label?: string;
  /** Images for a vision-capable model (scanned pages, photos), sent with the user message. */
  images?: { mediaType: "image/png" | "image/jpeg"; base64: string }[];
  /** A previous answer failed validation: this is the reason, for one repair attempt. */
  repairHint?: string;
}

export interface LlmResult<T> {
  value: T;
  usage: LlmUsage;
  model: string;
}

/**
 * The model port: structured output only. Errors: UpstreamRateLimitError (with retryAfterMs from the model's
 * retry-after), UpstreamUnavailableError, UpstreamTimeoutError, UpstreamRejectedError, LlmOutputError (refusal,
 * malformed or schema-invalid output, with the usage it cost).
 */
export interface Llm {
  /** One question, one structured answer. (Named `ask`, not `complete`: "complete" means marking a job done.) */
  ask<T extends z.ZodType>(request: LlmRequest<T>): Promise<LlmResult<z.infer<T>>>;
}

/**
 * The Llm port over the openai SDK: any OpenAI-compatible base URL, strict structured output (zodResponseFormat),
 * explicit timeout and at most one SDK retry; SQS redelivery with visibility backoff is the outer retry loop.
 * Error translation happens here and nowhere else.
 */
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type * as z from "zod";
import {
  LlmOutputError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../errors.js";
import type { Llm, LlmRequest, LlmResult, LlmUsage } from "../../ports/llm.js";

export interface OpenAiLlmOptions {
  client?: OpenAI;
  apiKey?: string;
  baseURL?: string;
  /** Must stay below the worker's Lambda timeout. @default 25_000 */
  timeoutMs?: number;
  /** @default 0 */
  maxRetries?: 0 | 1;
  fetch?: typeof fetch;
}

/** LlmOutputError that remembers what the failed call cost, so usage is recorded even for failures. */
export class LlmOutputWithUsageError extends LlmOutputError {
  constructor(
    message: string,
    readonly usage: LlmUsage,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const s = headers?.get("retry-after");
  if (s && Number.isFinite(Number(s))) return Number(s) * 1000;
  if (s) {
    const at = Date.parse(s);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return undefined;
}

/**
 * The `response_format` of a request, exactly as `ask` sends it: the strict JSON schema built from the zod schema.
 * Exported so the prompt overhead (system prompt + this) can be measured on what is actually sent.
 */
export function responseFormatOf(schema: z.ZodType, schemaName: string) {
  // The units of an org share their schema object: its JSON schema is built once (~1.4 ms of CPU each time).
  const byName = formats.get(schema) ?? new Map<string, ReturnType<typeof buildResponseFormat>>();
  formats.set(schema, byName);
  let format = byName.get(schemaName);
  if (!format) {
    format = buildResponseFormat(schema, schemaName);
    byName.set(schemaName, format);
  }
  return format;
}

const formats = new WeakMap<z.ZodType, Map<string, ReturnType<typeof buildResponseFormat>>>();

function buildResponseFormat(schema: z.ZodType, schemaName: string) {
  const format = zodResponseFormat(schema as never, schemaName);
  // Changed in place: the object also carries the SDK's (non-enumerable) parser, which parses with the zod schema.
  const json = format.json_schema.schema as Record<string, unknown> | undefined;
  if (json) {
    // The draft URL tells the model nothing and costs tokens on every call.
    delete json.$schema;
    compactNullables(json);
  }
  return format;
}

type JsonNode = Record<string, unknown>;
const isNode = (v: unknown): v is JsonNode => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `{"anyOf":[{"type":"string",...},{"type":"null"}]}` (zod's nullable) -> `{"type":["string","null"],...}`, with
 * `null` added to an enum: the same values in the union-type form OpenAI's structured outputs documents for a
 * nullable field, about 6 tokens fewer per nullable field. Only a single typed branch is folded.
 */
function compactNullables(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) compactNullables(item);
    return;
  }
  if (!isNode(node)) return;
  for (const value of Object.values(node)) compactNullables(value);
  const anyOf = node.anyOf;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return;
  const nonNull = anyOf.filter((o) => !(isNode(o) && o.type === "null" && Object.keys(o).length === 1));
  const only = nonNull[0];
  if (nonNull.length !== 1 || !isNode(only) || typeof only.type !== "string" || only.type === "object")
    return;
  if (only.type === "array" || "anyOf" in only || "$ref" in only) return;
  delete node.anyOf;
  Object.assign(node, only, {
    type: [only.type, "null"],
    ...(Array.isArray(only.enum) ? { enum: [...only.enum, null] } : {}),
  });
}

export class OpenAiLlm implements Llm {
  private readonly client: OpenAI;

  constructor(options: OpenAiLlmOptions = {}) {
    this.client =
      options.client ??
      new OpenAI({
        apiKey: options.apiKey ?? "unset",
        ...(options.baseURL ? { baseURL: options.baseURL } : {}),
        timeout: options.timeoutMs ?? 25_000,
        maxRetries: options.maxRetries ?? 0,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
  }

  async ask<T extends z.ZodType>(request: LlmRequest<T>): Promise<LlmResult<z.infer<T>>> {
    // Images (scanned pages) travel as data-URL image parts of the user message: never a URL the model fetches.
    const user: OpenAI.ChatCompletionUserMessageParam["content"] = request.images?.length
      ? [
          { type: "text", text: request.user },
          ...request.images.map(
            (image): OpenAI.ChatCompletionContentPartImage => ({
              type: "image_url",
              image_url: { url: `data:${image.mediaType};base64,${image.base64}` },
            }),
          ),
        ]
      : request.user;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: request.system },
      { role: "user", content: user },
    ];
    if (request.repairHint) {
      messages.push({
        role: "user",
        content: `Your previous answer was rejected: ${request.repairHint}. Answer again with JSON that matches the schema exactly.`,
      });
    }
    let completion: Awaited<ReturnType<OpenAI["chat"]["completions"]["parse"]>>;
    try {
      completion = await this.client.chat.completions.parse({
        model: request.model,
        messages,
        response_format: responseFormatOf(request.schema, request.schemaName),
      });
    } catch (error) {
      throw this.translate(error);
    }
    const cached = completion.usage?.prompt_tokens_details?.cached_tokens;
    const usage: LlmUsage = {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
      ...(typeof cached === "number" ? { cachedPromptTokens: cached } : {}),
    };
    const message = completion.choices[0]?.message;
    if (message?.refusal)
      throw new LlmOutputWithUsageError(`model refused: ${message.refusal.slice(0, 200)}`, usage);
    if (message?.parsed === undefined || message.parsed === null)
      throw new LlmOutputWithUsageError("model returned no structured output", usage);
    return { value: message.parsed as z.infer<T>, usage, model: completion.model };
  }

  private translate(error: unknown): Error {
    if (error instanceof OpenAI.RateLimitError) {
      const after = retryAfterMs(error.headers);
      return new UpstreamRateLimitError("openai", "model rate limit (429)", {
        cause: error,
        status: 429,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      });
    }
    if (error instanceof OpenAI.APIConnectionTimeoutError)
      return new UpstreamTimeoutError("openai", "model call timed out", { cause: error });
    if (error instanceof OpenAI.InternalServerError || error instanceof OpenAI.APIConnectionError) {
      return new UpstreamUnavailableError(
        "openai",
        `model unavailable (${(error as { status?: number }).status ?? "connection"})`,
        { cause: error },
      );
    }
    if (error instanceof OpenAI.APIError && error.status !== undefined) {
      return new UpstreamRejectedError(
        "openai",
        `model rejected the request (${error.status})`,
        error.code ?? undefined,
        undefined,
        { cause: error, status: error.status },
      );
    }
    // The SDK's zod parse of the content: malformed JSON or a schema mismatch.
    return new LlmOutputError(
      `model output failed the schema: ${(error as Error).message?.slice(0, 300) ?? "invalid"}`,
      { cause: error },
    );
  }
}

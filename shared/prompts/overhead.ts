/**
 * Prompt overhead: the tokens every call of a use case pays before the record's data, i.e. the system prompt and
 * the response schema as the OpenAI adapter sends them. They come first and are identical for every event of a
 * use case on an org (a fixed prefix), so a provider's prompt cache can serve them; the data block comes last.
 * Counted with o200k (gpt-tokenizer), the encoding of the gpt-4o and later families. Measurement only: the worker
 * never imports this (the tokenizer's tables would grow its bundle).
 */
import { encode } from "gpt-tokenizer";
import type * as z from "zod";
import { responseFormatOf } from "../adapters/openai/openai-llm.js";

/** The fixed prefix of a call: the system text and the `response_format.json_schema` JSON, as sent. */
export function promptPrefix(system: string, schema: z.ZodType, schemaName: string): string {
  return `${system}\n${JSON.stringify(responseFormatOf(schema, schemaName).json_schema)}`;
}

export interface PromptOverhead {
  /** Tokens of the system prompt. */
  system: number;
  /** Tokens of the response schema (`json_schema`: name, strict flag and the JSON schema). */
  schema: number;
  /** Both: what the bench reports as `prompt_overhead_tokens`. */
  total: number;
}

/** How many o200k tokens the system prompt and the response schema of a call cost. */
export function promptOverhead(system: string, schema: z.ZodType, schemaName: string): PromptOverhead {
  const s = encode(system).length;
  const j = encode(JSON.stringify(responseFormatOf(schema, schemaName).json_schema)).length;
  return { system: s, schema: j, total: s + j };
}

/**
 * The local model server's stand-in for OpenAI's automatic prompt caching, so `cached_tokens` means locally what it
 * means on OpenAI. OpenAI's rules (Prompt Caching 201, openai-cookbook examples/Prompt_Caching_201.ipynb, and
 * https://developers.openai.com/api/docs/guides/prompt-caching): caching applies to prompts of 1,024 tokens or
 * more; a hit needs an exact, repeated prefix (messages, images, tools and the response schema, in order) of a
 * recent request; hits occur in increments of 128 tokens. So the cached count is 0, or 1,024 + 128k: the longest
 * such length that is a prefix seen recently and no longer than the prompt. Two identical 1,500-token prompts: the
 * second reports 1,408 (1,024 + 3 x 128; 1,536 would pass the prompt's end).
 *
 * The cache keeps a hash per block boundary (1,024, 1,152, ...) of each request's token sequence, each hash chained
 * over the one before it, in a bounded LRU: OpenAI evicts after minutes of inactivity, this after `maxEntries`.
 */
import { createHash } from "node:crypto";

/** Prompts shorter than this are never cached. */
export const CACHE_MIN_TOKENS = 1024;
/** Cache hits grow in blocks of this many tokens past the minimum. */
export const CACHE_INCREMENT = 128;

const digest = (previous: string, tokens: readonly number[]): string => {
  const bytes = Buffer.from(Uint32Array.from(tokens).buffer);
  return createHash("sha256").update(previous).update(bytes).digest("base64");
};

export class PromptCache {
  private readonly seen = new Map<string, true>();

  /** @param maxEntries block boundaries remembered (the least recently used go first). */
  constructor(private readonly maxEntries = 20_000) {}

  /**
   * The cached tokens of a prompt with this token sequence, then remembers its prefixes for later prompts.
   * `scope` separates caches (OpenAI's is per model).
   */
  serve(tokens: readonly number[], scope = ""): number {
    let cached = 0;
    let matching = true;
    let hash = scope;
    let from = 0;
    for (let boundary = CACHE_MIN_TOKENS; boundary <= tokens.length; boundary += CACHE_INCREMENT) {
      hash = digest(hash, tokens.slice(from, boundary));
      from = boundary;
      if (matching && this.seen.has(hash)) cached = boundary;
      else matching = false;
      this.seen.delete(hash);
      this.seen.set(hash, true);
    }
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    return cached;
  }

  clear(): void {
    this.seen.clear();
  }
}

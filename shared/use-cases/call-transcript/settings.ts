/** Call transcripts' deployment settings: worker variables, parsed once when the worker builds the use case. */

/** Deployment settings of this use case (env variables of the worker, read in `index.ts`). */
export interface TranscriptSettings {
  /** Tokens one event may cost at most (map inputs, prompts and the reduce), estimated before any call. */
  tokenBudgetPerEvent: number;
  /** Tokens of transcript per map call. */
  chunkTokens: number;
  /** A referenced attachment larger than this is refused, not read. */
  maxAttachmentBytes: number;
  /** The org lets a call move a deal to an earlier stage of its pipeline (default: never). */
  allowStageBackwards: boolean;
}

export const DEFAULT_TRANSCRIPT_SETTINGS: TranscriptSettings = {
  // A 60-minute call is about 13,000 tokens of transcript and about 37,000 prompt tokens with the map prompts and
  // the reduce: this admits a call of about two hours and refuses a day of calls pasted in by mistake.
  tokenBudgetPerEvent: 80_000,
  chunkTokens: 2_000,
  maxAttachmentBytes: 1024 * 1024,
  allowStageBackwards: false,
};

/** Settings from the worker's environment; a malformed value is a configuration error at cold start. */
export function transcriptSettingsFrom(env: Record<string, string | undefined>): TranscriptSettings {
  const int = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
    return n;
  };
  const flag = env.TRANSCRIPT_ALLOW_STAGE_BACKWARDS;
  if (flag !== undefined && flag !== "" && flag !== "true" && flag !== "false")
    throw new Error("TRANSCRIPT_ALLOW_STAGE_BACKWARDS must be true or false");
  return {
    tokenBudgetPerEvent: int(
      "TRANSCRIPT_TOKEN_BUDGET",
      DEFAULT_TRANSCRIPT_SETTINGS.tokenBudgetPerEvent,
      1_000,
    ),
    chunkTokens: int("TRANSCRIPT_CHUNK_TOKENS", DEFAULT_TRANSCRIPT_SETTINGS.chunkTokens, 200),
    maxAttachmentBytes: int("TRANSCRIPT_MAX_BYTES", DEFAULT_TRANSCRIPT_SETTINGS.maxAttachmentBytes, 1_024),
    allowStageBackwards: flag === "true",
  };
}

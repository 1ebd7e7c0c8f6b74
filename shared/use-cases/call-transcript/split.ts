/**
 * The transcript splitter: speaker turns, packed into chunks of at most a token budget each, so the map calls see
 * whole turns (who said what stays together) and every chunk fits the model's input with room for the prompt.
 * Tokens are counted with the model family's own tokenizer (gpt-tokenizer, o200k_base), not guessed from words:
 * the budget refusal and the chunk bound are then the figures the model bills.
 *
 * A turn longer than a chunk is split on sentence ends, each piece keeping its speaker; a sentence longer than a
 * chunk (a transcription run-on with no full stop) is split on words, the last resort. Nothing is ever dropped:
 * the chunks' turns, joined, are the transcript's turns.
 */

/**
 * The tokenizer, loaded on first use (`loadTokenizer`, awaited by the use case's `load`): the ingest bundles the
 * catalog's descriptors but never splits a transcript, so it does not ship gpt-tokenizer's tables (see
 * WORKER_ONLY_MODULES).
 */
let countTokens: ((text: string) => number) | undefined;

export async function loadTokenizer(): Promise<void> {
  countTokens ??= (await import("gpt-tokenizer")).countTokens;
}

const tokenizer = (): ((text: string) => number) => {
  if (!countTokens) throw new Error("the tokenizer is not loaded: await loadTokenizer() first");
  return countTokens;
};

export interface Turn {
  /** As the transcript names the speaker ("Dana (Acme)", "Speaker 1"); "" when the text has no speaker labels. */
  speaker: string;
  text: string;
}

export interface Chunk {
  turns: Turn[];
  /** Tokens of the chunk's text as sent (`chunkText`). */
  tokens: number;
}

/**
 * A speaker label at the start of a line: an optional timestamp (`[00:12:03]`, `00:12`), then a name of at most
 * 60 characters without sentence punctuation, then a colon. "Note: ..." in the middle of a turn would also match,
 * which only starts a new turn with that "speaker": the words are kept either way.
 */
const SPEAKER_LINE =
  /^\s*(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\)?\]?\s*[-–]?\s*)?([^:.!?\n]{1,60}?)\s*:\s+(.*)$/;

/** The transcript's speaker turns, in order. Lines without a label continue the current turn. */
export function parseTurns(transcript: string): Turn[] {
  const turns: Turn[] = [];
  for (const raw of transcript.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const m = SPEAKER_LINE.exec(line);
    const last = turns[turns.length - 1];
    if (m?.[1] && m[2] !== undefined) turns.push({ speaker: m[1].trim(), text: m[2].trim() });
    else if (last) last.text = `${last.text} ${line}`;
    else turns.push({ speaker: "", text: line });
  }
  return turns.filter((t) => t.text.length > 0);
}

/** A turn as the model reads it. */
export const turnLine = (t: Turn) => (t.speaker ? `${t.speaker}: ${t.text}` : t.text);

/** A chunk as the model reads it: one turn per line. */
export const chunkText = (turns: readonly Turn[]) => turns.map(turnLine).join("\n");

export const tokensOf = (text: string) => tokenizer()(text);

/** Sentence ends: `.`, `!`, `?` or `…` (and closing quotes), then space. */
const SENTENCE_END = /(?<=[.!?…]["'”’)\]]*)\s+/;

/** Splits `text` into pieces of at most `maxTokens` each (with `prefix` counted), on sentences, else on words. */
function pieces(text: string, prefix: string, maxTokens: number): string[] {
  const out: string[] = [];
  let current = "";
  const fits = (s: string) => tokensOf(prefix + s) <= maxTokens;
  const push = (unit: string) => {
    const joined = current ? `${current} ${unit}` : unit;
    if (fits(joined)) {
      current = joined;
      return;
    }
    if (current) out.push(current);
    current = unit;
  };
  for (const sentence of text.split(SENTENCE_END).filter((s) => s.length > 0)) {
    if (fits(sentence)) push(sentence);
    else for (const word of sentence.split(/\s+/).filter((w) => w.length > 0)) push(word);
  }
  if (current) out.push(current);
  return out;
}

/**
 * Packs the turns into chunks of at most `maxTokens` tokens of `chunkText` each, turns kept whole when they fit a
 * chunk. A single word over the bound is kept as its own piece (nothing is dropped); with any sensible bound
 * (hundreds of tokens) no word comes near it.
 */
export function splitTurns(turns: readonly Turn[], maxTokens: number): Chunk[] {
  if (!Number.isInteger(maxTokens) || maxTokens < 16)
    throw new RangeError("maxTokens must be an integer >= 16");
  const units: Turn[] = [];
  for (const t of turns) {
    if (tokensOf(turnLine(t)) <= maxTokens) units.push(t);
    else {
      const prefix = t.speaker ? `${t.speaker}: ` : "";
      for (const p of pieces(t.text, prefix, maxTokens)) units.push({ speaker: t.speaker, text: p });
    }
  }
  const chunks: Chunk[] = [];
  let current: Turn[] = [];
  let tokens = 0;
  for (const u of units) {
    // A newline between turns is one token in o200k_base; counting the joined text keeps the figure exact.
    const next = [...current, u];
    const nextTokens = current.length === 0 ? tokensOf(turnLine(u)) : tokensOf(chunkText(next));
    if (current.length > 0 && nextTokens > maxTokens) {
      chunks.push({ turns: current, tokens });
      current = [u];
      tokens = tokensOf(turnLine(u));
    } else {
      current = next;
      tokens = nextTokens;
    }
  }
  if (current.length > 0) chunks.push({ turns: current, tokens });
  return chunks;
}

/** The transcript in chunks of at most `maxTokens` tokens, on speaker turns. */
export const splitTranscript = (transcript: string, maxTokens: number): Chunk[] =>
  splitTurns(parseTurns(transcript), maxTokens);

/** The transcript splitter: speaker turns kept whole, chunks within the token bound, nothing lost or reordered. */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  chunkText,
  loadTokenizer,
  parseTurns,
  splitTranscript,
  splitTurns,
  tokensOf,
  turnLine,
} from "../../../../shared/use-cases/call-transcript/split.js";
import { FIXTURE, generateTranscript } from "../../../fixtures/transcripts/generate.js";

beforeAll(loadTokenizer);

const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0);

describe("parseTurns", () => {
  it("reads speaker labels with and without timestamps, and continues unlabelled lines", () => {
    const turns = parseTurns(
      "[00:00:01] Ana (Acme): Hello there.\n00:05 - Bo: Hi.\nstill Bo talking\n\nSpeaker 1: Third turn.\r\n",
    );
    expect(turns).toEqual([
      { speaker: "Ana (Acme)", text: "Hello there." },
      { speaker: "Bo", text: "Hi. still Bo talking" },
      { speaker: "Speaker 1", text: "Third turn." },
    ]);
  });

  it("keeps a transcript without labels as one turn of text", () => {
    expect(parseTurns("just words. more words.")).toEqual([{ speaker: "", text: "just words. more words." }]);
  });
});

describe("splitTurns", () => {
  const fixture = readFileSync(FIXTURE, "utf8");

  it("packs the 60-minute fixture into chunks within the bound, turns whole and in order", () => {
    const turns = parseTurns(fixture);
    const chunks = splitTurns(turns, 2_000);

    expect(chunks.length).toBeGreaterThanOrEqual(5);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(2_000);
      expect(c.tokens).toBe(tokensOf(chunkText(c.turns)));
    }
    // Every turn fits a chunk here, so the chunks' turns are exactly the transcript's turns.
    expect(chunks.flatMap((c) => c.turns)).toEqual(turns);
    // Greedy packing: no chunk but the last could have taken the next chunk's first turn.
    for (let i = 0; i + 1 < chunks.length; i++) {
      const withNext = [...(chunks[i]?.turns ?? []), chunks[i + 1]?.turns[0] as never];
      expect(tokensOf(chunkText(withNext))).toBeGreaterThan(2_000);
    }
  });

  it("splits a turn longer than a chunk on sentences, each piece keeping its speaker", () => {
    const sentence = (i: number) => `This is sentence number ${i} of a very long monologue about routes.`;
    const long = { speaker: "Ana", text: Array.from({ length: 60 }, (_, i) => sentence(i)).join(" ") };
    const chunks = splitTurns([{ speaker: "Bo", text: "Go on." }, long], 100);

    const pieces = chunks.flatMap((c) => c.turns).slice(1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((p) => p.speaker === "Ana")).toBe(true);
    // Cut only at sentence ends: every piece ends with a full stop, and nothing is lost.
    expect(pieces.every((p) => p.text.endsWith("."))).toBe(true);
    expect(pieces.map((p) => p.text).join(" ")).toBe(long.text);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(100);
  });

  it("splits a sentence longer than a chunk on words as the last resort, losing none", () => {
    const runOn = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    const chunks = splitTranscript(`Ana: ${runOn}`, 64);

    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(64);
    expect(words(chunks.flatMap((c) => c.turns.map((t) => t.text)).join(" "))).toEqual(words(runOn));
  });

  it("refuses a bound too small to hold a speaker label", () => {
    expect(() => splitTurns([{ speaker: "A", text: "b" }], 4)).toThrow(RangeError);
  });

  it("counts a turn as the model reads it", () => {
    expect(turnLine({ speaker: "Ana", text: "Hi." })).toBe("Ana: Hi.");
    expect(turnLine({ speaker: "", text: "Hi." })).toBe("Hi.");
  });
});

describe("the 60-minute fixture", () => {
  it("is what its generator writes (deterministic, committed as text), about 10,000 words, two speakers", () => {
    const text = readFileSync(FIXTURE, "utf8");

    expect(text).toBe(generateTranscript());
    const spoken = parseTurns(text).flatMap((t) => words(t.text));
    expect(spoken.length).toBeGreaterThanOrEqual(9_000);
    expect(spoken.length).toBeLessThanOrEqual(11_000);
    expect(new Set(parseTurns(text).map((t) => t.speaker)).size).toBe(2);
  });
});

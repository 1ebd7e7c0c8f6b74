/**
 * A use case that maps over a unit's chunks (all at once: the pipeline bounds them) and then reduces them in one
 * call, writing a note with the result: the pipeline tests of several model calls per unit use it.
 */
import * as z from "zod";
import type { UseCaseDescriptor, UseCaseWork } from "../../shared/use-cases/descriptor.js";
import { leadEnrichment } from "../../shared/use-cases/lead-enrichment/index.js";

const ChunkSummary = z.object({ summary: z.string() });
const Merged = z.object({ summary: z.string() });

export interface MapReduceLoaded {
  id: string;
  chunks: string[];
  images?: { mediaType: "image/png"; base64: string }[];
}

/** Map over the chunks (all at once: the pipeline bounds them), then one reduce call; a note with the result. */
export function mapReduce(over: Partial<UseCaseWork<{ id: string }, MapReduceLoaded>> = {}, chunks = 10) {
  const work: UseCaseWork<{ id: string }, MapReduceLoaded> = {
    promptVersion: "map-reduce/1",
    inputSchema: z.looseObject({ id: z.string() }),
    load: async (_ctx, input) => ({
      id: input.id,
      chunks: Array.from({ length: chunks }, (_, i) => `turn ${i}`),
    }),
    schemaFor: () => Merged,
    prompt: () => ({ system: "s", user: "u" }),
    answer: async (ask, loaded) => {
      const parts = await Promise.all(
        loaded.chunks.map((chunk, i) =>
          ask({
            label: `chunk ${i + 1}/${loaded.chunks.length}`,
            system: "Summarise the chunk.",
            user: chunk,
            schema: ChunkSummary,
            ...(loaded.images ? { images: loaded.images } : {}),
          }),
        ),
      );
      return ask({
        label: "reduce",
        system: "Merge.",
        user: parts.map((p) => p.summary).join("\n"),
        schema: Merged,
      });
    },
    plan: (output, loaded) => [
      { kind: "crm-note", module: "Leads", id: loaded.id, title: "Call", content: String(output.summary) },
    ],
    auditTarget: (loaded) => ({ service: "crm", module: "Leads", id: loaded.id }),
    ...over,
  };
  const { mapping: _unmapped, ...lead } = leadEnrichment;
  return [{ ...lead, work: () => work }] as UseCaseDescriptor[];
}

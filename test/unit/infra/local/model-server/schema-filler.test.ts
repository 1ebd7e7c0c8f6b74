import fc from "fast-check";
import { zodResponseFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { fillSchema, type JsonSchema } from "../../../../../infra/local/model-server/schema-filler.js";

/** The JSON Schema the openai SDK sends for a zod schema (strict structured outputs). */
const wire = (schema: z.ZodObject) => zodResponseFormat(schema, "out").json_schema.schema as JsonSchema;

const leaf: fc.Arbitrary<z.ZodType> = fc.oneof(
  fc.constant(z.string()),
  fc.constant(z.boolean()),
  fc.constant(z.number()),
  fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 100 })).map(([lo, span]) =>
    z
      .number()
      .int()
      .min(lo)
      .max(lo + span),
  ),
  fc
    .uniqueArray(fc.stringMatching(/^[a-z][a-z ]{0,12}$/), { minLength: 1, maxLength: 5 })
    .map((v) => z.enum(v as [string, ...string[]])),
);
const { node } = fc.letrec<{ node: z.ZodType }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    leaf.map((s) => s.nullable()),
    fc
      .dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), tie("node"), { minKeys: 1, maxKeys: 4 })
      .map((shape) => z.object(shape)),
    tie("node").map((s) => z.array(s)),
  ),
}));
const rootSchema = fc
  .dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), node, { minKeys: 1, maxKeys: 5 })
  .map((shape) => z.object(shape));

describe("schema filler", () => {
  it("always produces a value the zod schema accepts, for any schema and any text", () => {
    fc.assert(
      fc.property(rootSchema, fc.string({ maxLength: 300 }), (schema, text) => {
        const value = fillSchema(wire(schema), text);
        expect(schema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic for the same schema and text", () => {
    fc.assert(
      fc.property(rootSchema, fc.string({ maxLength: 200 }), (schema, text) => {
        expect(fillSchema(wire(schema), text)).toEqual(fillSchema(wire(schema), text));
      }),
      { numRuns: 100 },
    );
  });

  it("chooses the enum value with the most word overlap with the text", () => {
    const schema = wire(z.object({ stage: z.enum(["awareness", "consideration", "decision"]) }));

    expect(fillSchema(schema, "We made our decision and want to sign this week.")).toEqual({
      stage: "decision",
    });
    expect(fillSchema(schema, "Still in consideration, comparing two vendors.")).toEqual({
      stage: "consideration",
    });
  });

  it("extracts emails, phones and URLs from the text, and null when a nullable value is absent", () => {
    const schema = wire(
      z.object({
        email: z.string().nullable(),
        phone: z.string().nullable(),
        website: z.string().nullable(),
      }),
    );

    expect(
      fillSchema(schema, "Write to a.b@example.org or call +1 555 0100 1234; see https://acme.example/x."),
    ).toEqual({
      email: "a.b@example.org",
      phone: "+1 555 0100 1234",
      website: "https://acme.example/x.",
    });
    expect(fillSchema(schema, "No contact details here at all.")).toEqual({
      email: null,
      phone: null,
      website: null,
    });
  });

  it("resolves $ref definitions that zod emits for reused schemas", () => {
    const item = z.object({ title: z.string() });
    const schema = z.object({ first: item, second: item, all: z.array(item) });

    const value = fillSchema(wire(schema), "Call the customer back. Send the invoice. Book a demo.");

    expect(schema.safeParse(value).success).toBe(true);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardWrite, matchPicklist } from "../../../../shared/domain/write-guard.js";
import type { ZohoField } from "../../../../shared/domain/zoho-field.js";

const FIELDS: ZohoField[] = [
  {
    name: "Lead_Status",
    type: "picklist",
    readOnly: false,
    picklist: ["-None-", "Attempted to Contact", "Contacted", "Pre-Qualified", "Not Qualified"],
  },
  { name: "AI_Score", type: "integer", readOnly: false },
  { name: "AI_Summary", type: "textarea", length: 20, readOnly: false },
  { name: "Email", type: "email", length: 100, readOnly: false },
  { name: "AI_Enriched_At", type: "datetime", readOnly: false },
  { name: "Created_Time", type: "datetime", readOnly: true },
];
const ALL = FIELDS.map((f) => f.name);

describe("write guard", () => {
  it("maps a case or punctuation variant and a near miss to Zoho's spelling, and reports the mapping", () => {
    expect(matchPicklist("pre qualified", FIELDS[0]?.picklist ?? [])).toBe("Pre-Qualified");
    expect(matchPicklist("Contactd", FIELDS[0]?.picklist ?? [])).toBe("Contacted");
    const result = guardWrite({ Lead_Status: "PRE-QUALIFIED" }, FIELDS, ALL);

    expect(result).toEqual({
      ok: true,
      fields: { Lead_Status: "Pre-Qualified" },
      mapped: [{ field: "Lead_Status", from: "PRE-QUALIFIED", to: "Pre-Qualified" }],
    });
  });

  it("rejects a value that is not close to exactly one option, and never maps to -None-", () => {
    expect(matchPicklist("Hot", FIELDS[0]?.picklist ?? [])).toBeUndefined();
    expect(matchPicklist("None", FIELDS[0]?.picklist ?? [])).toBeUndefined();
    expect(matchPicklist("Qualified", FIELDS[0]?.picklist ?? [])).toBeUndefined();
  });

  it("is all or nothing: one bad field rejects the whole write and names every problem", () => {
    const result = guardWrite(
      {
        Lead_Status: "Contacted",
        AI_Score: 7.5,
        AI_Summary: "x".repeat(21),
        Email: "nope",
        Created_Time: "2026-01-01T00:00:00Z",
        Owner: { id: "1" },
        Unknown: "x",
      },
      FIELDS,
      [...ALL, "Unknown"],
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual([
      "AI_Score",
      "AI_Summary",
      "Email",
      "Created_Time",
      "Owner",
      "Unknown",
    ]);
  });

  it("drops null proposals, normalises datetimes to Zoho's form and coerces numeric strings for integers", () => {
    const result = guardWrite(
      { AI_Score: "82", AI_Enriched_At: "2026-11-25T10:15:02.123Z", Lead_Status: null },
      FIELDS,
      ALL,
    );

    expect(result).toEqual({
      ok: true,
      fields: { AI_Score: 82, AI_Enriched_At: "2026-11-25T10:15:02+00:00" },
      mapped: [],
    });
  });

  it("never lets through a value outside the picklist, whatever the input", () => {
    const options = FIELDS[0]?.picklist ?? [];
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (value) => {
        const result = guardWrite({ Lead_Status: value }, FIELDS, ALL);
        if (result.ok && result.fields.Lead_Status !== undefined)
          expect(options.filter((o) => o !== "-None-")).toContain(result.fields.Lead_Status);
      }),
      { numRuns: 500 },
    );
  });
});

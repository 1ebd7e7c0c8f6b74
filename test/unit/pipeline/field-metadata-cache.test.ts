import { describe, expect, it } from "vitest";
import { UpstreamRejectedError } from "../../../shared/errors.js";
import { FieldMetadataCache } from "../../../shared/pipeline/field-metadata-cache.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoCrm } from "../../fakes/zoho-crm.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";

describe("metadata cache", () => {
  const fake = () => {
    const crm = new FakeZohoCrm();
    const zoho = {
      crm,
      desk: new FakeZohoDesk(),
      creator: new FakeZohoCreator(),
      books: new FakeZohoBooks(),
    };
    return { zoho, calls: () => crm.calls.filter((c) => c.method === "fields").length };
  };

  it("keeps fields per connection for the TTL, re-reads after it, after invalidate, and sooner with maxAgeMs", async () => {
    let now = 0;
    const metadata = new FieldMetadataCache({ now: () => now }, 60_000);
    const { zoho, calls } = fake();

    await metadata.fields(zoho, "a", "crm", "Leads");
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(calls()).toBe(1);
    await metadata.fields(zoho, "b", "crm", "Leads");
    expect(calls()).toBe(2);

    now = 30_000;
    await metadata.fields(zoho, "a", "crm", "Leads", { maxAgeMs: 20_000 });
    expect(calls()).toBe(3);
    metadata.invalidate("a", "crm", "Leads");
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(calls()).toBe(4);
    now = 100_000;
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(calls()).toBe(5);
  });

  it("concurrent misses share one read (a batch's units load at once); a failed read is shared, then read again", async () => {
    const metadata = new FieldMetadataCache({ now: () => 0 }, 60_000);
    const { zoho, calls } = fake();

    const all = await Promise.all(
      Array.from({ length: 20 }, () => metadata.fields(zoho, "a", "crm", "Leads")),
    );
    expect(calls()).toBe(1);
    expect(new Set(all).size).toBe(1);

    const failing = fake();
    failing.zoho.crm.failNext("fields", new Error("down"));
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => metadata.fields(failing.zoho, "b", "crm", "Leads")),
    );
    // One failing read for all five (the fake fails only its next call, and records only the calls that pass).
    expect(settled.map((r) => r.status)).toEqual(Array(5).fill("rejected"));
    await metadata.fields(failing.zoho, "b", "crm", "Leads");
    expect(failing.calls()).toBe(1);
  });
});

describe("dropping fields Zoho named in a refusal", () => {
  it("drops the module's cached fields on an ItemResult or UpstreamRejectedError naming a field, not otherwise", async () => {
    const crm = new FakeZohoCrm();
    const zoho = {
      crm,
      desk: new FakeZohoDesk(),
      creator: new FakeZohoCreator(),
      books: new FakeZohoBooks(),
    };
    const metadata = new FieldMetadataCache({ now: () => 0 });
    const reads = () => crm.calls.filter((c) => c.method === "fields").length;
    await metadata.fields(zoho, "a", "crm", "Leads");

    expect(
      metadata.invalidateOnRejection("a", "crm", "Leads", { ok: false, code: "DUPLICATE_DATA" }),
    ).toBeUndefined();
    expect(metadata.invalidateOnRejection("a", "crm", "Leads", new Error("boom"))).toBeUndefined();
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(reads()).toBe(1);

    expect(
      metadata.invalidateOnRejection("a", "crm", "Leads", {
        ok: false,
        code: "INVALID_DATA",
        field: "AI_Intent",
      }),
    ).toBe("AI_Intent");
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(reads()).toBe(2);

    const refused = new UpstreamRejectedError("zoho-desk", "refused", "INVALID_DATA", [], { field: "cf_x" });
    expect(metadata.invalidateOnRejection("a", "crm", "Leads", refused)).toBe("cf_x");
    await metadata.fields(zoho, "a", "crm", "Leads");
    expect(reads()).toBe(3);
  });
});

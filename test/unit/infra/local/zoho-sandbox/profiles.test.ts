import { describe, expect, it } from "vitest";
import { buildModules, toFieldMeta } from "../../../../../infra/local/zoho-sandbox/metadata.js";
import { PROFILES, profileSeed } from "../../../../../infra/local/zoho-sandbox/profiles.js";

const leads = (profile: "demo" | "alt") => buildModules(PROFILES[profile]).get("Leads");
const names = (profile: "demo" | "alt") => leads(profile)?.fields.map((f) => f.api_name) ?? [];

describe("seed profiles", () => {
  it("keeps the demo org's module, field and picklist ids as they were before profiles existed", () => {
    const modules = buildModules(PROFILES.demo);
    const icp = modules.get("Leads")?.fields.find((f) => f.api_name === "AI_ICP_Fit");

    // Values of the pre-profile metadata table (a0e426a), so ids stored by earlier runs still resolve.
    expect(modules.get("Leads")?.id).toBe("5545974000000002175");
    expect(modules.get("Deals")?.id).toBe("5545974000000002178");
    expect(icp?.id).toBe("5545974000000010022");
    expect(icp?.pick_list_values[1]).toMatchObject({ id: "5545974000100002201", actual_value: "Strong" });
    expect(modules.get("Leads")?.fields).toHaveLength(32);
  });

  it("gives alt its own ids, its own AI fields and no AI_Buying_Stage", () => {
    const modules = buildModules(PROFILES.alt);
    const ids = [...modules.values()].flatMap((m) => [m.id, ...m.fields.map((f) => f.id)]);

    expect(ids.every((id) => /^4876213\d{12}$/.test(id))).toBe(true);
    expect(names("alt")).not.toContain("AI_Buying_Stage");
    expect(names("demo")).toContain("AI_Buying_Stage");
    expect(names("alt")).toEqual(
      expect.arrayContaining(["AI_ICP_Fit", "AI_Intent", "Region", "Partner_Code"]),
    );
  });

  it("uses the alt Industry values on Leads and Accounts", () => {
    const modules = buildModules(PROFILES.alt);
    const industry = (m: string) =>
      modules
        .get(m)
        ?.fields.find((f) => f.api_name === "Industry")
        ?.pick_list_values.map((p) => p.actual_value);

    expect(industry("Leads")).toContain("Software & SaaS");
    expect(industry("Accounts")).toContain("Healthcare & Life Sciences");
    expect(industry("Leads")).not.toContain("Systems Integrator");
  });

  it("refuses an unknown profile", () => {
    expect(() => profileSeed("nope" as "demo")).toThrow(/unknown sandbox profile/);
  });

  it("builds field metadata with Zoho's defaults: restricted picklists, default lengths, json types", () => {
    const pick = toFieldMeta({ api: "X", type: "picklist", picklist: ["-None-", "A"] }, "1", (k) => `p${k}`);
    const int = toFieldMeta({ api: "N", label: "Num", type: "integer" }, "2", () => "");

    expect(pick).toMatchObject({
      field_label: "X",
      length: 120,
      restricted_picklist: true,
      json_type: "string",
    });
    expect(pick.pick_list_values.map((p) => p.id)).toEqual(["p0", "p1"]);
    expect(int).toMatchObject({ field_label: "Num", length: 9, json_type: "integer" });
    expect(int).not.toHaveProperty("restricted_picklist");
  });
});

/**
 * Agents' API keys: the scope grammar (every accepted form, every refusal and its message), allow patterns, the key
 * format and hashing, and the checks the tools make with them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ApiKeyRecord,
  agentTableName,
  fieldAllowed,
  formatScopes,
  hashKey,
  hasScope,
  KEY_PATTERN,
  type KeyScopes,
  keyIdOf,
  keyMatches,
  mayReadModule,
  mayWriteModule,
  newApiKey,
  parseBudget,
  parseRate,
  parseScopes,
  toView,
} from "../../../shared/domain/api-key.js";
import { ValidationError } from "../../../shared/errors.js";

const NO_DESK = { read: false, comment: false, draft: false, send: false };

/** The ValidationError `fn` throws (fails the test when it throws nothing or something else). */
function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

describe("parseScopes: accepted forms", () => {
  it("crm.read reads every module", () => {
    expect(parseScopes("crm.read", [])).toEqual({
      crmRead: ["*"],
      crmWrite: [],
      desk: NO_DESK,
      jobsRead: false,
    });
  });

  it("crm.read:<Module> reads that module only", () => {
    const s = parseScopes("crm.read:Leads,crm.read:Deals", []);

    expect(s.crmRead).toEqual(["Leads", "Deals"]);
    expect(mayReadModule(s, "Leads")).toBe(true);
    expect(mayReadModule(s, "Contacts")).toBe(false);
  });

  it("crm.write:<Module> writes it, implies reading it, with the allow patterns", () => {
    const s = parseScopes("crm.write:Leads", ["AI_*", "Description"]);

    expect(s.crmWrite).toEqual([{ module: "Leads", fields: ["AI_*", "Description"] }]);
    expect(s.crmRead).toEqual(["Leads"]);
    expect(mayWriteModule(s, "Leads")).toBe(true);
    expect(mayReadModule(s, "Leads")).toBe(true);
    expect(mayWriteModule(s, "Deals")).toBe(false);
  });

  it("the issue's example: crm.read,crm.write:Leads --allow AI_*,Description", () => {
    const s = parseScopes("crm.read,crm.write:Leads", ["AI_*,Description"]);

    expect(s.crmRead).toEqual(["*"]);
    expect(s.crmWrite).toEqual([{ module: "Leads", fields: ["AI_*", "Description"] }]);
    expect(formatScopes(s)).toBe("crm.read,crm.write:Leads");
  });

  it("each desk scope sets its flag; desk.send implies desk.draft", () => {
    expect(parseScopes("desk.read", []).desk).toEqual({ ...NO_DESK, read: true });
    expect(parseScopes("desk.comment", []).desk).toEqual({ ...NO_DESK, comment: true });
    expect(parseScopes("desk.draft", []).desk).toEqual({ ...NO_DESK, draft: true });
    expect(parseScopes("desk.send", []).desk).toEqual({ ...NO_DESK, draft: true, send: true });
  });

  it("jobs.read", () => {
    expect(parseScopes("jobs.read", []).jobsRead).toBe(true);
  });

  it("tolerates spaces around items and repeated ones", () => {
    const s = parseScopes(" crm.write:Leads , crm.write:Leads,desk.read ", [" AI_* ", "AI_*"]);

    expect(s.crmWrite).toEqual([{ module: "Leads", fields: ["AI_*"] }]);
    expect(s.desk.read).toBe(true);
  });

  it("every form at once, and formatScopes writes it back in the same grammar", () => {
    const text =
      "crm.read:Accounts,crm.write:Leads,crm.write:Contacts,desk.read,desk.comment,desk.send,jobs.read";
    const s = parseScopes(text, ["AI_*", "Leads.Rating"]);

    expect(s).toEqual({
      crmRead: ["Accounts", "Leads", "Contacts"],
      crmWrite: [
        { module: "Leads", fields: ["AI_*", "Rating"] },
        { module: "Contacts", fields: ["AI_*"] },
      ],
      desk: { read: true, comment: true, draft: true, send: true },
      jobsRead: true,
    } satisfies KeyScopes);
    expect(formatScopes(s)).toBe(text);
    expect(parseScopes(formatScopes(s), ["AI_*", "Leads.Rating"])).toEqual(s);
  });

  it("unqualified allow patterns on a key that writes nothing allow nothing (accepted, not stored)", () => {
    expect(parseScopes("crm.read", ["AI_*"]).crmWrite).toEqual([]);
  });
});

describe("parseScopes: refusals name the bad item", () => {
  const cases: [string, string, string[], RegExp][] = [
    ["empty", "", [], /^no scopes given: name at least one of crm\.read, /],
    ["blank", "   ", [], /^no scopes given/],
    ["stray comma", "crm.read,", [], /^empty scope at position 2 \(a stray comma\?\)$/],
    ["unknown scope", "crm.delete", [], /^unknown scope "crm\.delete": one of crm\.read, crm\.read:<Module>/],
    ["wrong case", "CRM.READ", [], /^unknown scope "CRM\.READ"/],
    ["desk with module", "desk.read:Tickets", [], /^unknown scope "desk\.read:Tickets"/],
    [
      "crm.write alone",
      "crm.write",
      ["AI_*"],
      /^scope crm\.write needs a module .*nothing would be writable$/,
    ],
    ["bad module", "crm.read:1Leads", [], /^scope "crm\.read:1Leads": "1Leads" is not a module api name/],
    ["empty module", "crm.write:", ["AI_*"], /^scope "crm\.write:": "" is not a module api name/],
    ["injection module", "crm.read:Leads)or(1=1", [], /is not a module api name/],
    [
      "write without allow",
      "crm.write:Leads",
      [],
      /^scope crm\.write:Leads has no --allow pattern for Leads: nothing would be writable/,
    ],
    [
      "write with another module's allow only",
      "crm.write:Leads,crm.write:Deals",
      ["Leads.AI_*"],
      /^scope crm\.write:Deals has no --allow pattern for Deals: nothing would be writable/,
    ],
    ["bare star", "crm.write:Leads", ["*"], /^allow pattern "\*" would allow every field/],
    [
      "qualified bare star",
      "crm.write:Leads",
      ["Leads.*"],
      /^allow pattern "Leads\.\*" would allow every field/,
    ],
    [
      "star inside",
      "crm.write:Leads",
      ["AI_*_x"],
      /^allow pattern "AI_\*_x": not a field api name or a prefix/,
    ],
    ["leading digit field", "crm.write:Leads", ["1Field"], /^allow pattern "1Field": not a field api name/],
    [
      "bad qualifier",
      "crm.write:Leads",
      ["Le-ads.AI_*"],
      /^allow pattern "Le-ads\.AI_\*": "Le-ads" is not a module/,
    ],
    [
      "qualifier of a module not written",
      "crm.write:Leads",
      ["Deals.Amount"],
      /^allow pattern "Deals\.Amount" names Deals, but no scope crm\.write:Deals is given$/,
    ],
  ];

  it.each(cases)("%s", (_name, scopes, allow, message) => {
    const error = refusal(() => parseScopes(scopes, allow));

    expect(error.message).toMatch(message);
    expect(error.httpStatus).toBe(400);
    expect(error.issues).toEqual([
      { path: expect.stringMatching(/^(scopes|allow)$/), message: error.message },
    ]);
  });

  it("cuts a long bad item in its message", () => {
    const error = refusal(() => parseScopes(`x${"y".repeat(5_000)}`, []));

    expect(error.message.length).toBeLessThan(200);
  });

  it("never throws anything but ValidationError, whatever the strings", () => {
    const scopeLike = fc.oneof(
      fc.string(),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(
              "crm.read",
              "crm.write",
              "desk.read",
              "desk.send",
              "jobs.read",
              "crm.read:",
              "crm.write:",
            ),
            fc.string({ maxLength: 12 }),
          ),
          { maxLength: 6 },
        )
        .map((parts) => parts.join(",")),
    );
    fc.assert(
      fc.property(scopeLike, fc.array(fc.string(), { maxLength: 4 }), (scopes, allow) => {
        try {
          const s = parseScopes(scopes, allow);
          // What it accepts is a well-formed key: every written module has a pattern.
          for (const w of s.crmWrite) expect(w.fields.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("allow patterns", () => {
  const scopes = parseScopes("crm.write:Leads,crm.write:Deals", ["AI_*", "Description", "Leads.Rating"]);

  it("a prefix pattern takes the fields it starts, and only those (case-sensitive)", () => {
    expect(fieldAllowed(scopes, "Leads", "AI_Score")).toBe(true);
    expect(fieldAllowed(scopes, "Leads", "AI_")).toBe(true);
    expect(fieldAllowed(scopes, "Leads", "XAI_Score")).toBe(false);
    expect(fieldAllowed(scopes, "Leads", "ai_score")).toBe(false);
    expect(fieldAllowed(scopes, "Leads", "AI")).toBe(false);
  });

  it("an exact name takes that field only", () => {
    expect(fieldAllowed(scopes, "Deals", "Description")).toBe(true);
    expect(fieldAllowed(scopes, "Deals", "Description2")).toBe(false);
    expect(fieldAllowed(scopes, "Deals", "Descriptio")).toBe(false);
  });

  it("a module-qualified pattern applies to its module only", () => {
    expect(fieldAllowed(scopes, "Leads", "Rating")).toBe(true);
    expect(fieldAllowed(scopes, "Deals", "Rating")).toBe(false);
  });

  it("no field of a module the key does not write, nor of a differently spelt one", () => {
    expect(fieldAllowed(scopes, "Contacts", "AI_Score")).toBe(false);
    expect(fieldAllowed(scopes, "leads", "AI_Score")).toBe(false);
    expect(mayWriteModule(scopes, "leads")).toBe(false);
  });
});

describe("hasScope", () => {
  it("answers each tool scope from the key's scopes", () => {
    const none = parseScopes("jobs.read", []);
    const all = parseScopes("crm.read,crm.write:Leads,desk.read,desk.comment,desk.draft", ["AI_*"]);
    const sender = parseScopes("desk.send", []);

    for (const scope of ["crm.read", "crm.write", "desk.read", "desk.comment", "desk.draft"] as const) {
      expect(hasScope(none, scope), scope).toBe(false);
      expect(hasScope(all, scope), scope).toBe(true);
    }
    expect(hasScope(none, "jobs")).toBe(true);
    expect(hasScope(parseScopes("desk.read", []), "jobs")).toBe(true);
    expect(hasScope(sender, "desk.draft")).toBe(true);
    expect(hasScope(sender, "desk.comment")).toBe(false);
    expect(hasScope(parseScopes("crm.write:Leads", ["AI_*"]), "crm.read")).toBe(true);
    expect(hasScope(parseScopes("crm.read:Leads", []), "crm.write")).toBe(false);
  });
});

describe("budget and rate", () => {
  it("parses N/day and N/min within their bounds", () => {
    expect(parseBudget("200/day")).toBe(200);
    expect(parseBudget(" 1 / day ")).toBe(1);
    expect(parseBudget("100000/day")).toBe(100_000);
    expect(parseRate("60/min")).toBe(60);
    expect(parseRate("10000/min")).toBe(10_000);
  });

  it.each([
    ["0/day"],
    ["100001/day"],
    ["200"],
    ["200/hour"],
    ["-5/day"],
    ["2.5/day"],
    ["1e3/day"],
    ["200/DAY"],
    [""],
  ])("refuses the budget %j", (value) => {
    expect(refusal(() => parseBudget(value)).message).toMatch(
      /^write budget ".*": give N\/day with N from 1 to 100000 \(like 200\/day\)$/,
    );
  });

  it.each([["0/min"], ["10001/min"], ["60/day"], ["60"], ["sixty/min"]])("refuses the rate %j", (value) => {
    expect(refusal(() => parseRate(value)).message).toMatch(
      /^rate ".*": give N\/min with N from 1 to 10000 \(like 60\/min\)$/,
    );
  });
});

describe("key format and hashing", () => {
  it("a new key matches the pattern, carries its id, and is stored only as its hash", () => {
    const { key, id, hash } = newApiKey();

    expect(key).toMatch(KEY_PATTERN);
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    expect(key.startsWith(`zgm_${id}_`)).toBe(true);
    expect(keyIdOf(key)).toBe(id);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashKey(key));
    expect(hash).not.toBe(key);
    expect(hash).not.toContain(key.slice(17));
  });

  it("keys are random: 200 keys, 200 ids, 200 secrets", () => {
    const keys = Array.from({ length: 200 }, () => newApiKey());

    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.key.slice(17))).size).toBe(200);
    // Every id character of [a-z0-9] turns up somewhere in 2,400 draws (a biased or short alphabet would not).
    expect(new Set(keys.flatMap((k) => [...k.id])).size).toBe(36);
  });

  it("keyMatches: true for the key, false for any one-character change", () => {
    const { key, hash } = newApiKey();
    const record = { hash };

    expect(keyMatches(record, key)).toBe(true);
    for (let i = 0; i < key.length; i++) {
      const changed = key.slice(0, i) + (key[i] === "a" ? "b" : "a") + key.slice(i + 1);
      expect(keyMatches(record, changed), `position ${i}`).toBe(false);
    }
    expect(keyMatches(record, `${key}x`)).toBe(false);
    expect(keyMatches(record, key.slice(0, -1))).toBe(false);
    expect(keyMatches(record, "")).toBe(false);
  });

  it("keyMatches is false against a malformed stored hash instead of throwing", () => {
    const { key } = newApiKey();

    expect(keyMatches({ hash: "" }, key)).toBe(false);
    expect(keyMatches({ hash: "abc" }, key)).toBe(false);
    expect(keyMatches({ hash: "z".repeat(64) }, key)).toBe(false);
  });

  it("keyIdOf refuses anything that is not a key string", () => {
    const { key } = newApiKey();
    const bad = [
      "",
      "zgm_",
      key.toUpperCase(),
      ` ${key}`,
      `${key} `,
      `${key}\n`,
      key.replace("zgm_", "zgx_"),
      `zgm_ABCDEFGHIJKL_${key.slice(17)}`,
      `zgm_abcdefghijk_${key.slice(17)}`,
      `${key.slice(0, -1)}=`,
      `${key.slice(0, -1)}+`,
      `Bearer ${key}`,
    ];

    for (const b of bad) expect(keyIdOf(b), b).toBeUndefined();
    expect(keyIdOf(key)).toBe(key.slice(4, 16));
  });

  it("toView drops the hash and keeps the rest", () => {
    const record: ApiKeyRecord = {
      id: "abcdefghijkl",
      name: "sales-gpt",
      connection: "default",
      hash: "0".repeat(64),
      scopes: parseScopes("crm.read", []),
      writeBudgetPerDay: 100,
      ratePerMinute: 60,
      proposalsOnly: false,
      createdAt: "2026-11-30T00:00:00.000Z",
    };
    const view = toView(record);

    expect(view).not.toHaveProperty("hash");
    const { hash: _hash, ...rest } = record;
    expect(view).toEqual(rest);
  });

  it("names a stage's agents table as CDK does", () => {
    expect(agentTableName("dev")).toBe("zoho-gpt-mediator-dev-agents");
    expect(agentTableName("prod")).toBe("zoho-gpt-mediator-prod-agents");
  });
});

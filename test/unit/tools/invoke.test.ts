/**
 * invokeTool's order of checks: a refused call (no key, a bad, unknown or revoked key, an unknown tool, a missing
 * scope, the rate limit, bad arguments, low credits) makes no Zoho call; every call past the key is audited; a
 * Zoho 429 is one call and a retryable answer; nothing throws.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { UpstreamRateLimitError, UpstreamUnavailableError } from "../../../shared/errors.js";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import type { ToolDefinition } from "../../../shared/tools/definition.js";
import { INTERNAL_MESSAGE } from "../../../shared/tools/errors.js";
import { argsDigest, invokeTool } from "../../../shared/tools/invoke.js";
import { LEAD_ID, toolsWorld } from "./world.js";

const search = { module: "Leads", email: "jd@example.com" };

describe("invokeTool: the key (step 1)", () => {
  it.each([
    ["no header", undefined, "no API key: send Authorization: Bearer <key>"],
    ["another scheme", "Basic abc", "no API key: send Authorization: Bearer <key>"],
    ["a malformed key", "Bearer zgm_short_key", "malformed API key"],
    ["an unknown key", `Bearer zgm_abcdefghijkl_${"A".repeat(43)}`, "unknown API key"],
  ])("%s answers 401 with no Zoho call and no audit record", async (_name, header, message) => {
    const w = toolsWorld();
    await w.addKey();

    const answer = await invokeTool(w.deps, { authorization: header, tool: "crm_search", args: search });

    expect(answer).toEqual({
      ok: false,
      error: { status: 401, code: "unauthorized", message, retryable: false },
    });
    expect(w.zohoCalls()).toBe(0);
    expect(w.store.calls.items.size).toBe(0);
    expect(w.metrics.get("ToolAuthFailed")).toBe(1);
  });

  it("a key whose secret differs in one character is unknown, not revoked", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey();
    await w.store.keys.revoke(record.id, new Date(w.clock.now()).toISOString());
    const last = key.at(-1) === "A" ? "B" : "A";

    const forged = await w.call(`${key.slice(0, -1)}${last}`, "crm_search", search);
    const revoked = await w.call(key, "crm_search", search);

    expect(forged).toMatchObject({ ok: false, error: { status: 401, message: "unknown API key" } });
    expect(revoked).toMatchObject({ ok: false, error: { status: 401, message: "API key revoked" } });
    expect(w.zohoCalls()).toBe(0);
  });

  it("the scheme is case-insensitive", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await invokeTool(w.deps, {
      authorization: `bearer ${key}`,
      tool: "crm_search",
      args: search,
    });

    expect(answer.ok).toBe(true);
  });

  it("a key store that fails answers 503 retryable, not 401", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.deps.keys.get = async () => {
      throw new UpstreamUnavailableError("aws", "DynamoDB is down");
    };

    const answer = await w.call(key, "crm_search", search);

    expect(answer).toMatchObject({ ok: false, error: { status: 503, code: "unavailable", retryable: true } });
    expect(w.metrics.get("ToolAuthFailed")).toBe(0);
  });
});

describe("invokeTool: tool, scope, rate and arguments (steps 2-5) before any Zoho call", () => {
  it("an unknown tool is a 404, audited", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey();

    const answer = await w.call(key, "crm_drop_everything", {});

    expect(answer).toMatchObject({ ok: false, error: { status: 404, code: "not_found" } });
    expect(w.zohoCalls()).toBe(0);
    const [audited] = await w.store.calls.listByKey(record.id);
    expect(audited).toMatchObject({
      tool: "(unknown tool)",
      outcome: "refused",
      code: "not_found",
      zohoCalls: 0,
    });
  });

  it("a tool outside the key's scopes is a 403 naming the scope", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ scopes: "crm.read", allow: [] });

    const answer = await w.call(key, "crm_update", { module: "Leads", id: LEAD_ID, fields: { AI_Score: 1 } });

    expect(answer).toMatchObject({
      ok: false,
      error: {
        status: 403,
        code: "forbidden",
        message: "this key lacks the scope crm.write",
        retryable: false,
      },
    });
    expect(w.zohoCalls()).toBe(0);
    expect(w.metrics.get("ToolForbidden")).toBe(1);
  });

  it("a module the key may not read is a 403 before Zoho", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ scopes: "crm.read:Contacts", allow: [] });

    const answer = await w.call(key, "crm_search", search);

    expect(answer).toMatchObject({ ok: false, error: { status: 403, code: "forbidden" } });
    expect((answer as { error: { message: string } }).error.message).toContain("Leads");
    expect(w.zohoCalls()).toBe(0);
  });

  it("a module the key may not write is a 403 before Zoho", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ scopes: "crm.read,crm.write:Contacts", allow: ["AI_*"] });

    const answer = await w.call(key, "crm_add_note", { module: "Leads", id: LEAD_ID, content: "x" });

    expect(answer).toMatchObject({ ok: false, error: { status: 403 } });
    expect(w.zohoCalls()).toBe(0);
  });

  it("the rate limit answers 429 with the seconds to the window's end, with no Zoho call", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ rate: "2/min" });
    w.clock.advance(15_000); // 10:00:15: the window ends at 10:01:00

    await w.call(key, "crm_search", search);
    await w.call(key, "crm_search", search);
    const before = w.zohoCalls();
    const third = await w.call(key, "crm_search", search);

    expect(third).toMatchObject({
      ok: false,
      error: { status: 429, code: "rate_limited", retryable: true, retryAfterSeconds: 45 },
    });
    expect(w.zohoCalls()).toBe(before);
    expect(w.metrics.get("ToolRateLimited")).toBe(1);
    w.clock.advance(45_000);
    expect((await w.call(key, "crm_search", search)).ok).toBe(true);
  });

  it("bad arguments are a 400 naming paths, never values, with no Zoho call", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    const secretish = "Leads)or(Email:equals:x";

    const answer = await w.call(key, "crm_get_record", { module: secretish, id: 123, extra: true });

    expect(answer).toMatchObject({
      ok: false,
      error: { status: 400, code: "invalid_arguments", retryable: false },
    });
    const error = (answer as { error: { issues: { path: string }[]; message: string } }).error;
    expect(error.issues.map((i) => i.path).sort()).toEqual(["(arguments)", "id", "module"]);
    expect(JSON.stringify(error)).not.toContain(secretish);
    expect(w.zohoCalls()).toBe(0);
  });

  it("a text longer than the deployment's limit is a 400 naming its path", async () => {
    const w = toolsWorld();
    w.deps.config.maxTextLength = 100;
    const { key } = await w.addKey();

    const answer = await w.call(key, "crm_add_note", {
      module: "Leads",
      id: LEAD_ID,
      content: "x".repeat(101),
    });

    expect(answer).toMatchObject({ ok: false, error: { status: 400, issues: [{ path: "content" }] } });
    expect(w.zohoCalls()).toBe(0);
  });
});

describe("invokeTool: Zoho (steps 6-7)", () => {
  it("low Zoho credits answer a retryable 429 without calling Zoho", async () => {
    const w = toolsWorld();
    w.crm.credits = 100;
    const { key } = await w.addKey();

    const answer = await w.call(key, "crm_search", search);

    expect(answer).toMatchObject({ ok: false, error: { status: 429, retryable: true } });
    expect((answer as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds).toBeGreaterThan(0);
    expect(w.zohoCalls()).toBe(0);
    // CRM's credits hold back CRM tools only.
    expect((await w.call(key, "desk_get_ticket", { ticketId: "700000000001" })).ok).toBe(true);
  });

  it("a Zoho 429 is one Zoho call and a retryable error with retry-after (no retry storm)", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey();
    await w.call(key, "crm_describe_module", { module: "Leads" }); // metadata cached
    const before = w.crm.calls.length;
    w.crm.failNext("getRecord", new UpstreamRateLimitError("zoho-crm", "Zoho answered 429", { status: 429 }));

    const answer = await w.call(key, "crm_get_record", { module: "Leads", id: LEAD_ID });

    expect(answer).toMatchObject({
      ok: false,
      error: { status: 503, retryable: true, retryAfterSeconds: 60 },
    });
    expect(w.crm.calls.length - before).toBe(0); // the fake logs only calls Zoho answered
    const audited = await w.store.calls.get((answer as { callId: string }).callId);
    expect(audited?.keyId).toBe(record.id);
    expect(audited).toMatchObject({ tool: "crm_get_record", outcome: "error", zohoCalls: 1 });
    expect(w.metrics.get("ToolErrors")).toBe(1);
  });

  it("a tool that throws a bug answers a generic 500, logged, and the call is audited", async () => {
    const broken: ToolDefinition = {
      name: "broken",
      title: "Broken",
      description: "Always fails.",
      scope: "jobs",
      writes: false,
      input: z.object({}).strict(),
      output: z.object({ jobId: z.string() }),
      async run() {
        throw new Error("secret internals: token=abc");
      },
    };
    const w = toolsWorld({ tools: [...TOOL_CATALOG, broken] });
    const { key, record } = await w.addKey();

    const answer = await w.call(key, "broken", {});

    expect(answer).toMatchObject({
      ok: false,
      error: { status: 500, code: "internal_error", message: INTERNAL_MESSAGE, retryable: false },
    });
    expect(JSON.stringify(answer)).not.toContain("secret internals");
    expect((await w.store.calls.listByKey(record.id))[0]).toMatchObject({
      outcome: "error",
      code: "internal_error",
    });
  });

  it("an answer outside the tool's output schema is a 500, never passed on", async () => {
    const liar: ToolDefinition = {
      name: "liar",
      title: "Liar",
      description: "Answers the wrong shape.",
      scope: "jobs",
      writes: false,
      input: z.object({}).strict(),
      output: z.object({ jobId: z.string() }),
      async run() {
        return { nope: 1 } as never;
      },
    };
    const w = toolsWorld({ tools: [liar] });
    const { key } = await w.addKey();

    expect(await w.call(key, "liar", {})).toMatchObject({ ok: false, error: { status: 500 } });
  });
});

describe("invokeTool never throws", () => {
  it("answers a 500 even when its logger and metrics fail", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.deps.metrics.count = () => {
      throw new Error("metrics sink down");
    };

    const answer = await w.call(key, "crm_search", search);

    expect(answer).toMatchObject({ ok: false, error: { status: 500, code: "internal_error" } });
  });
});

describe("invokeTool: the audit (step 8)", () => {
  it("records who called what: a digest of the arguments, the outcome, Zoho calls and writes", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey();
    const args = { module: "Leads", id: LEAD_ID, fields: { AI_Score: 7 } };

    const answer = await w.call(key, "crm_update", args);

    expect(answer.ok).toBe(true);
    const callId = (answer as { callId: string }).callId;
    expect(callId).toMatch(/^call_[a-z0-9]{20}$/);
    expect(await w.store.calls.get(callId)).toMatchObject({
      id: callId,
      keyId: record.id,
      keyName: record.name,
      connection: "default",
      tool: "crm_update",
      argsDigest: argsDigest({ fields: { AI_Score: 7 }, id: LEAD_ID, module: "Leads" }),
      outcome: "ok",
      zohoCalls: 3, // fields, update, audit note
      writes: 1,
      at: new Date(w.clock.now()).toISOString(),
    });
    expect(JSON.stringify(await w.store.calls.get(callId))).not.toContain(LEAD_ID);
    expect(w.metrics.get("ToolCalls")).toBe(1);
    expect(w.metrics.get("ToolWrites")).toBe(1);
  });

  it("an audit log that fails does not turn a made write into an error", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.deps.calls.record = async () => {
      throw new UpstreamUnavailableError("aws", "DynamoDB is down");
    };

    const answer = await w.call(key, "crm_update", { module: "Leads", id: LEAD_ID, fields: { AI_Score: 7 } });

    expect(answer.ok).toBe(true);
    expect(w.crm.find("Leads", LEAD_ID)?.AI_Score).toBe(7);
  });
});

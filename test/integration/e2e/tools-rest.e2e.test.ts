/**
 * The REST path for GPT Actions end to end (issue 12 acceptance): the local stack serves `/v1/openapi.json`, it
 * validates as OpenAPI 3.1 with a maintained validator (@readme/openapi-parser), and a client generated at run time
 * from the served document (openapi-client-axios) calls every one of its operations with the local demo key. The
 * set of operations called is the document's own, so a tool added later without arguments here fails the test.
 *
 * Written against CONTRACTS-12 (§6 REST and OpenAPI, §7 the demo key): it passes once the four packages are merged.
 */
import { validate } from "@readme/openapi-parser";
import { OpenAPIClientAxios } from "openapi-client-axios";
import type { OpenAPIV3_1 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadWrites, seededLeadIds, startTestStack } from "../../helpers/local-stack.js";
import { toolsOf } from "../../helpers/tools.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

async function servedDocument(): Promise<OpenAPIV3_1.Document> {
  const res = await fetch(toolsOf(stack).openapiUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  return (await res.json()) as OpenAPIV3_1.Document;
}

const operationIds = (doc: OpenAPIV3_1.Document): string[] =>
  Object.values(doc.paths ?? {}).flatMap((item) =>
    (["get", "post", "put", "patch", "delete"] as const)
      .map((m) => item?.[m]?.operationId)
      .filter((id): id is string => typeof id === "string"),
  );

describe("openapi.json for GPT Actions", () => {
  it("is served without a key and validates as OpenAPI 3.1", async () => {
    const doc = await servedDocument();
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);

    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.servers?.[0]?.url).toMatch(/^https?:\/\//);
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("stays within GPT Actions' limits: unique operation ids, descriptions of at most 300 characters", async () => {
    const doc = await servedDocument();
    const ids = operationIds(doc);

    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const op = item?.post;
      expect(op, path).toBeDefined();
      expect(op?.operationId, path).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
      expect(path).toBe(`/v1/tools/${op?.operationId}`);
      expect(op?.description?.length ?? 0, path).toBeLessThanOrEqual(300);
      for (const status of ["200", "400", "401", "403", "429"])
        expect(op?.responses?.[status], `${path} ${status}`).toBeDefined();
    }
  });
});

describe("a client generated from the served document", () => {
  it("calls every operation with the demo key", async () => {
    const doc = await servedDocument();
    const tools = toolsOf(stack);
    const api = new OpenAPIClientAxios({
      definition: doc as never,
      axiosConfigDefaults: {
        headers: { Authorization: `Bearer ${tools.demoKey}` },
        // Every answer is asserted below, errors included.
        validateStatus: () => true,
      },
    });
    const client = await api.init();
    const called = new Set<string>();
    const answers = new Map<string, Record<string, unknown>>();
    const call = async (operationId: string, body: unknown) => {
      const op = (
        client as unknown as Record<
          string,
          (p: unknown, b: unknown) => Promise<{ status: number; data: unknown }>
        >
      )[operationId];
      if (typeof op !== "function") throw new Error(`the generated client has no operation ${operationId}`);
      const res = await op.call(client, null, body);
      called.add(operationId);
      expect(res.status, `${operationId}: ${JSON.stringify(res.data)}`).toBe(200);
      const data = res.data as Record<string, unknown>;
      expect(data.jobId, operationId).toMatch(/^call_/);
      answers.set(operationId, data);
      return data;
    };

    const leads = seededLeadIds(stack);
    const [readLead, writeLead, noteLead] = leads;
    if (!readLead || !writeLead || !noteLead) throw new Error("the org has too few seeded leads");
    const ticket = [...(stack.sandbox?.state.desk.tickets.keys() ?? [])][0];
    if (!ticket) throw new Error("the org has no seeded Desk ticket");

    // Reads first: what the org has decides what the writes send.
    const described = (await call("crm_describe_module", { module: "Leads" })) as {
      fields: { name: string; type: string; writable: boolean; readOnly: boolean; length?: number }[];
    };
    const text = described.fields.find(
      (f) =>
        f.writable &&
        (f.type === "textarea" || f.type === "text") &&
        (f.length === undefined || f.length >= 100),
    );
    if (!text) throw new Error("the demo key may write no free-text field of Leads");
    const record = (await call("crm_get_record", { module: "Leads", id: readLead })) as {
      record: { id: string };
    };
    expect(record.record.id).toBe(readLead);
    const lastName = String(stack.sandbox?.state.crm.table("Leads").get(readLead)?.Last_Name ?? "");
    const found = (await call("crm_search", { module: "Leads", word: lastName, perPage: 3 })) as {
      records: { id: string }[];
    };
    expect(found.records.length).toBeLessThanOrEqual(3);
    expect(found.records.length).toBeGreaterThan(0);
    const got = (await call("desk_get_ticket", { ticketId: ticket })) as { ticket: { id: string } };
    expect(String(got.ticket.id)).toBe(ticket);

    const written = await call("crm_update", {
      module: "Leads",
      id: writeLead,
      fields: { [text.name]: "Written through the generated REST client" },
    });
    expect(written.status).toBe("written");
    expect(leadWrites(stack, writeLead)[0]?.trigger).toEqual([]);
    expect(
      (await call("crm_propose_update", { module: "Leads", id: noteLead, fields: { [text.name]: "p" } }))
        .status,
    ).toBe("proposed");
    // The demo key is not proposals-only: notes, tasks and comments are carried out, never proposed.
    const note = await call("crm_add_note", {
      module: "Leads",
      id: noteLead,
      content: "A note from the REST e2e",
    });
    expect(note.status).not.toBe("proposed");
    expect(note.noteId).toMatch(/^\d{19}$/);
    const task = await call("crm_create_task", {
      module: "Leads",
      id: noteLead,
      subject: "Call back",
      dueDate: "2030-01-15",
    });
    expect(task.status).not.toBe("proposed");
    expect(task.taskId).toMatch(/^\d{19}$/);
    const comment = await call("desk_add_private_comment", {
      ticketId: ticket,
      content: "Private note from the e2e",
    });
    expect(comment.status).not.toBe("proposed");
    expect(
      (
        await call("desk_save_draft_reply", {
          ticketId: ticket,
          content: "Draft reply from the e2e",
          send: false,
        })
      ).status,
    ).toBe("drafted");
    const status = await call("mediator_job_status", { jobId: written.jobId });
    expect(status.kind).toBe("tool-call");

    expect([...called].sort()).toEqual(operationIds(doc).sort());
  });

  it("answers REST errors as { error, message } with the status of the taxonomy", async () => {
    const tools = toolsOf(stack);
    const post = (tool: string, body: unknown, auth?: string) =>
      fetch(`${tools.restUrl.replace(/\/+$/, "")}/${tool}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });

    const noKey = await post("crm_get_record", { module: "Leads", id: seededLeadIds(stack)[0] });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: "unauthorized" });
    const bad = await post("crm_get_record", { module: "Leads", id: "12" }, `Bearer ${tools.demoKey}`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; issues?: { path: string }[] };
    expect(body.error).toBe("invalid_arguments");
    expect(body.issues?.map((i) => i.path).join(",")).toContain("id");
    const unknownTool = await post("crm_delete_everything", {}, `Bearer ${tools.demoKey}`);
    expect(unknownTool.status).toBe(404);
  });
});

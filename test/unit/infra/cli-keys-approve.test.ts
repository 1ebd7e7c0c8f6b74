/**
 * `proposals approve` as shipped, end to end on the local services: the agents table on DynamoDB Local, the
 * connection secret in the Secrets Manager emulator, the Zoho sandbox. A proposal is written once (with
 * `"trigger": []` and the audit note naming the key); approving again writes nothing; an expired stored token is
 * never refreshed by the CLI without `--refresher-function` (the proposal waits as pending); a revoked key's
 * proposal fails with nothing written.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoAgentStore } from "../../../shared/adapters/dynamodb/agent-store.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";
import { agentTableName } from "../../../shared/domain/api-key.js";
import { connectionNameOfSecret } from "../../../shared/domain/zoho-connection.js";
import type { Proposal } from "../../../shared/ports/agent-store.js";
import { createApiKey, revokeApiKey } from "../../../shared/use-cases/agent-keys.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
let store: ReturnType<typeof createDynamoAgentStore>;
let connection: string;
let keyId: string;
let leadId: string;
let n = 0;

beforeAll(async () => {
  [h, local] = await Promise.all([startConnectionHarness(), startDynamoDbLocal()]);
  await h.connect();
  connection = connectionNameOfSecret(h.secretName);
  ddb = createDynamoDbClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTables(ddb, [agentTableName("test")]);
  store = createDynamoAgentStore(ddb, agentTableName("test"));
  keyId = (
    await createApiKey(
      store.keys,
      { name: "sales-gpt", connection, scopes: "crm.write:Leads", allow: ["AI_*"], proposalsOnly: true },
      h.clock,
    )
  ).record.id;
  leadId = [...h.sandbox.state.crm.table("Leads").keys()][0] as string;
}, 60_000);
afterAll(async () => {
  ddb?.destroy();
  await Promise.all([local?.close(), h?.close()]);
});

async function propose(fields: Record<string, unknown>, overrides: Partial<Proposal> = {}): Promise<string> {
  const id = `prop_${String(++n).padStart(20, "0")}`;
  await store.proposals.create({
    id,
    keyId,
    keyName: "sales-gpt",
    connection,
    tool: "crm_update",
    write: { kind: "crm-update", module: "Leads", id: leadId, fields },
    reason: "from the discovery call",
    status: "pending",
    createdAt: new Date(h.clock.now()).toISOString(),
    ...overrides,
  });
  return id;
}

async function approve(id: string, extra: string[] = []) {
  const lines: string[] = [];
  const code = await main(
    [
      "proposals",
      "approve",
      id,
      "--by",
      "ana",
      "--stage",
      "test",
      "--dynamodb-endpoint",
      local.url,
      "--secrets-endpoint",
      h.secretsEmulator.url,
      ...extra,
    ],
    {},
    (l) => lines.push(l),
    { clock: h.clock },
  );
  return { code, out: lines.join("\n") };
}

async function listPending() {
  const lines: string[] = [];
  await main(
    ["proposals", "list", "--status", "pending", "--stage", "test", "--dynamodb-endpoint", local.url],
    {},
    (l) => lines.push(l),
  );
  return lines.join("\n");
}

const crmWrites = () => h.sandbox.state.ctx.inspector.writes.filter((w) => w.service === "crm");
const lead = () => h.sandbox.state.crm.table("Leads").get(leadId) as Record<string, unknown>;
const auditNotes = () =>
  [...h.sandbox.state.crm.table("Notes").values()].filter(
    (r) => JSON.stringify(r.Parent_Id).includes(leadId) && r.Note_Title === "AI update",
  );

describe("proposals approve", () => {
  it("writes the proposal once, with trigger [] and the audit note naming the key; approving again writes nothing", async () => {
    const id = await propose({ AI_Score: 77 });
    const writesBefore = crmWrites().length;

    const first = await approve(id);
    const writesAfterFirst = crmWrites().length;
    const second = await approve(id);

    expect(first).toEqual({ code: 0, out: `approved ${id}: written (Leads ${leadId}: AI_Score written)` });
    expect(lead().AI_Score).toBe(77);
    const update = crmWrites()
      .slice(writesBefore)
      .filter((w) => w.module === "Leads");
    expect(update).toHaveLength(1);
    expect(update[0]).toMatchObject({
      operation: "update",
      ids: [leadId],
      trigger: [],
      fields: [["AI_Score"]],
    });
    expect(auditNotes()).toHaveLength(1);
    expect(String(auditNotes()[0]?.Note_Content)).toContain(`key: sales-gpt (${keyId})`);
    expect(second).toEqual({ code: 1, out: `approve ${id}: written (already written; nothing written)` });
    expect(crmWrites().length).toBe(writesAfterFirst);
    expect(await store.proposals.get(id)).toMatchObject({
      status: "written",
      decidedBy: "ana",
      result: { ok: true, message: `Leads ${leadId}: AI_Score written` },
    });
  });

  it("a field outside the key's allow-list fails the proposal, nothing written", async () => {
    const id = await propose({ Last_Name: "Changed" });
    const writesBefore = crmWrites().length;

    const result = await approve(id);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(new RegExp(`^approve ${id}: failed \\(not written: .*Last_Name`));
    expect(crmWrites().length).toBe(writesBefore);
    expect((await store.proposals.get(id))?.status).toBe("failed");
  });

  it("an expired stored token is not refreshed without --refresher-function: the proposal waits as pending", async () => {
    const id = await propose({ AI_Score: 12 });
    const requestsBefore = h.sandbox.state.ctx.inspector.requests.length;
    h.clock.advance(2 * 3_600_000);

    const result = await approve(id);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      new RegExp(
        `^approve ${id}: pending \\(not written: .*the scheduled refresher renews it in a minute; approve again later\\)$`,
      ),
    );
    expect(h.sandbox.state.ctx.inspector.requests.length).toBe(requestsBefore);
    expect((await store.proposals.get(id))?.status).toBe("pending");
    expect(lead().AI_Score).not.toBe(12);
    const listed = await listPending();
    expect(listed).toContain(`${id}  pending  `);
    expect(listed).toMatch(/\n {4}last approval attempt by ana at \S+ \(not written\)/);
  });

  it("a revoked key's proposal fails with nothing written", async () => {
    await h.connect();
    const id = await propose({ AI_Score: 5 });
    expect(await revokeApiKey(store.keys, keyId, h.clock)).toBe(true);
    const writesBefore = crmWrites().length;

    const result = await approve(id);

    expect(result).toEqual({
      code: 1,
      out: `approve ${id}: failed (the key sales-gpt (${keyId}) was revoked; nothing written)`,
    });
    expect(crmWrites().length).toBe(writesBefore);
  });
});

/** Key management (keys create|list|revoke) on the in-memory agent store: shown once, stored hashed, revoked once. */
import { describe, expect, it } from "vitest";
import { hashKey, KEY_PATTERN, keyIdOf, keyMatches } from "../../../../shared/domain/api-key.js";
import { ValidationError } from "../../../../shared/errors.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../../../shared/use-cases/agent-keys.js";
import { memoryAgentStore } from "../../../fakes/agent-store.js";
import { FakeClock } from "../../../helpers/connection.js";

const input = {
  name: "sales-gpt",
  connection: "default",
  scopes: "crm.read,crm.write:Leads",
  allow: ["AI_*,Description"],
};

describe("createApiKey", () => {
  it("returns the key once and stores only its hash, with the parsed scopes and the defaults", async () => {
    const { keys } = memoryAgentStore();
    const clock = new FakeClock();

    const { key, record } = await createApiKey(keys, input, clock);

    expect(key).toMatch(KEY_PATTERN);
    expect(record.id).toBe(keyIdOf(key));
    expect(record).not.toHaveProperty("hash");
    expect(record).toEqual({
      id: record.id,
      name: "sales-gpt",
      connection: "default",
      scopes: {
        crmRead: ["*"],
        crmWrite: [{ module: "Leads", fields: ["AI_*", "Description"] }],
        desk: { read: false, comment: false, draft: false, send: false },
        jobsRead: false,
      },
      writeBudgetPerDay: 100,
      ratePerMinute: 60,
      proposalsOnly: false,
      createdAt: new Date(clock.now()).toISOString(),
    });
    const stored = keys.items.get(record.id);
    expect(stored?.hash).toBe(hashKey(key));
    expect(keyMatches(stored as { hash: string }, key)).toBe(true);
    expect(JSON.stringify([...keys.items.values()])).not.toContain(key.slice(17));
  });

  it("takes the budget, rate and proposals-only flag", async () => {
    const { keys } = memoryAgentStore();

    const { record } = await createApiKey(
      keys,
      { ...input, writeBudget: "200/day", rate: "120/min", proposalsOnly: true, connection: "eu-org" },
      new FakeClock(),
    );

    expect(record).toMatchObject({
      writeBudgetPerDay: 200,
      ratePerMinute: 120,
      proposalsOnly: true,
      connection: "eu-org",
    });
  });

  it.each([
    ["an empty name", { name: "" }, /^a key's name is 1-64 characters/],
    ["a name with a space", { name: "sales gpt" }, /^a key's name/],
    ["a 65-character name", { name: "x".repeat(65) }, /^a key's name/],
    ["a bad connection", { connection: "Default!" }, /^a connection name is/],
    ["crm.write without allow", { allow: [] }, /nothing would be writable/],
    ["a bad budget", { writeBudget: "0/day" }, /^write budget "0\/day"/],
    ["a bad rate", { rate: "60/hour" }, /^rate "60\/hour"/],
  ])("refuses %s and stores nothing", async (_what, change, message) => {
    const { keys } = memoryAgentStore();

    const created = createApiKey(keys, { ...input, ...change }, new FakeClock());

    await expect(created).rejects.toBeInstanceOf(ValidationError);
    await expect(created).rejects.toThrow(message);
    expect(keys.items.size).toBe(0);
  });
});

describe("listApiKeys and revokeApiKey", () => {
  it("lists every key oldest first, without hashes; a revoked key stays listed with revokedAt", async () => {
    const { keys } = memoryAgentStore();
    const clock = new FakeClock();
    const a = await createApiKey(keys, { ...input, name: "a" }, clock);
    clock.advance(1_000);
    const b = await createApiKey(keys, { ...input, name: "b" }, clock);
    clock.advance(1_000);

    expect(await revokeApiKey(keys, a.record.id, clock)).toBe(true);
    const list = await listApiKeys(keys);

    expect(list.map((k) => k.name)).toEqual(["a", "b"]);
    expect(list[0]?.revokedAt).toBe(new Date(clock.now()).toISOString());
    expect(list[1]).toEqual(b.record);
    for (const k of list) expect(k).not.toHaveProperty("hash");
  });

  it("revokes once; false for an unknown id or something that is not an id", async () => {
    const { keys } = memoryAgentStore();
    const clock = new FakeClock();
    const { record } = await createApiKey(keys, input, clock);

    expect(await revokeApiKey(keys, record.id, clock)).toBe(true);
    expect(await revokeApiKey(keys, record.id, clock)).toBe(false);
    expect(await revokeApiKey(keys, "aaaaaaaaaaaa", clock)).toBe(false);
    expect(await revokeApiKey(keys, "apikey#x", clock)).toBe(false);
    expect(keys.gets).toBe(0);
  });

  it("revokes by the whole key string too", async () => {
    const { keys } = memoryAgentStore();
    const clock = new FakeClock();
    const { key, record } = await createApiKey(keys, input, clock);

    expect(await revokeApiKey(keys, key, clock)).toBe(true);
    expect(keys.items.get(record.id)?.revokedAt).toBeDefined();
  });
});

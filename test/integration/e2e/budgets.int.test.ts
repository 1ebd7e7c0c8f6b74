/** Budgets and waiting on the whole local stack: the loop breaker, the token budget, a broken connection. */
import { DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { deadLetters, deadLettersAtLeast, stackPerTest, until } from "../../helpers/local-stack.js";

const { start, get: s, writesFor, leadIds, trigger } = stackPerTest();
const waiting = () => {
  const q = s().sqs.server.inspectQueue("zoho-gpt-mediator-dev-work");
  return [...(q?.messages.delayed ?? []), ...(q?.messages.ready ?? [])];
};

describe("budgets", () => {
  it("caps AI writes per record per day: the write beyond the cap goes to the dead-letter queue with the reason", async () => {
    await start({ worker: { RECORD_WRITE_CAP: "2" } });
    const id = leadIds()[0] as string;

    for (const n of [1, 2, 3]) {
      await trigger(id, n);
      await until(() =>
        expect(s().events.filter((e) => /^(written|quarantined)/.test(e) && e.includes(id))).toHaveLength(n),
      );
    }

    expect(writesFor(id)).toHaveLength(2);
    expect((await deadLettersAtLeast(s(), 1))[0]?.reason).toMatch(
      /AI write cap of 2 per record per day reached/,
    );
  });

  it("when a use case's daily token budget is spent, work waits in the queue instead of failing", async () => {
    await start({
      worker: { TOKEN_BUDGET_PER_DAY: JSON.stringify({ "lead-enrichment": 1 }) },
    });
    const [a, b] = leadIds() as [string, string];

    await trigger(a);
    await until(() => expect(writesFor(a)).toHaveLength(1));
    await trigger(b);
    await until(() => expect(s().events.some((e) => e.startsWith("deferred") && e.includes(b))).toBe(true));

    expect(writesFor(b)).toEqual([]);
    expect(await deadLetters(s())).toEqual([]);
    await until(() => expect(waiting().some((m) => m.body.includes(b))).toBe(true));
    const requeued = waiting().find((m) => m.body.includes(b));
    expect(requeued?.messageAttributes?.deferrals?.StringValue).toBe("1");
  });

  it("a broken Zoho connection makes work wait, without calling Zoho's token endpoint again", async () => {
    await start();
    const link = s().connection as NonNullable<LocalStack["connection"]>;
    const conn = JSON.parse((await link.store.get(link.secretName, { fresh: true })).value) as {
      refreshToken: string;
    };
    await fetch(`${s().sandbox?.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: conn.refreshToken }),
    });
    const [a, b] = leadIds().slice(1, 3) as [string, string];

    await trigger(a);
    await until(() => expect(s().events.some((e) => e.startsWith("deferred") && e.includes(a))).toBe(true));
    const tokenCalls = link.tokenCalls();
    await trigger(b);
    await until(() => expect(s().events.some((e) => e.startsWith("deferred") && e.includes(b))).toBe(true));

    expect(link.tokenCalls()).toBe(tokenCalls);
    // The event line is printed when the decision is made; the re-queue follows it.
    await until(() => expect(waiting()).toHaveLength(2));
    expect(await deadLetters(s())).toEqual([]);
  });
});

describe("usage, credits and replies", () => {
  it("asks the use case's own model, and records usage and cost per event (the job) and per use case and day (the ledger)", async () => {
    await start({
      worker: {
        MODEL_OVERRIDES: JSON.stringify({ "lead-enrichment": "gpt-4o-leads" }),
        MODEL_PRICES: JSON.stringify({ "gpt-4o-leads": { prompt: 150_000, completion: 600_000 } }),
      },
    });
    const id = leadIds()[4] as string;

    await trigger(id);
    await until(() => expect(writesFor(id)).toHaveLength(1));
    const ddb = new DynamoDBClient({ endpoint: s().dynamodb?.url as string, region: "us-east-1" });
    // The job is marked done just after its Zoho writes. (The table also holds each job id's pointer to its job,
    // `jobref#...`, which has no status.)
    const jobItems = async () =>
      ((await ddb.send(new ScanCommand({ TableName: "zoho-gpt-mediator-dev-jobs" }))).Items ?? []).filter(
        (i) => i.status !== undefined,
      );
    let jobs = await jobItems();
    await until(async () => {
      jobs = await jobItems();
      expect(jobs[0]?.status?.S).toBe("DONE");
    });
    // Usage reaches the ledger once per batch, right after the batch's units are done.
    const readUsage = () =>
      ddb.send(
        new GetItemCommand({
          TableName: "zoho-gpt-mediator-dev-ledger",
          Key: { id: { S: `usage#lead-enrichment#${new Date().toISOString().slice(0, 10)}` } },
        }),
      );
    let usage = await readUsage();
    await until(async () => {
      usage = await readUsage();
      expect(usage.Item?.promptTokens?.N).toBeDefined();
    });
    ddb.destroy();

    const outcome = JSON.parse(jobs[0]?.outcome?.S ?? "{}") as {
      usage: { promptTokens: number; completionTokens: number };
      model: string;
    };
    expect(outcome.model).toBe("gpt-4o-leads");
    expect(outcome.usage.promptTokens).toBeGreaterThan(100);
    expect(Number(usage.Item?.promptTokens?.N)).toBe(outcome.usage.promptTokens);
    expect(Number(usage.Item?.costMicros?.N)).toBe(
      Math.round((outcome.usage.promptTokens * 150_000 + outcome.usage.completionTokens * 600_000) / 1e6),
    );
  });

  it("slows down as Zoho's credits run low: work waits once X-API-CREDITS-REMAINING is under the low-water mark", async () => {
    // 10 credits: the first event's calls cross half of them, so Zoho starts reporting X-API-CREDITS-REMAINING.
    await start({ sandbox: { creditsPerDay: 10 }, worker: { CREDITS_LOW_WATER: "1000" } });
    const [a, b] = leadIds().slice(5, 7) as [string, string];

    await trigger(a);
    await until(() => expect(writesFor(a)).toHaveLength(1));
    await trigger(b);
    await until(() =>
      expect(
        s().events.some((e) => e.startsWith("deferred") && e.includes(b) && /credits are low/.test(e)),
      ).toBe(true),
    );

    expect(writesFor(b)).toEqual([]);
  });

  it("sends the suggested Desk reply only when the deployment opts in", async () => {
    await start({
      worker: { DESK_SEND_REPLIES: "true" },
    });

    await fetch(`${s().sandbox?.url}/_sandbox/desk/tickets`, {
      method: "POST",
      body: JSON.stringify({
        subject: "Where is my order",
        description: "Order 991 has not arrived yet.",
        email: "opt-in@example.com",
      }),
    });
    await until(() =>
      expect(s().events.some((e) => e.startsWith("written") && e.includes("ticket-triage"))).toBe(true),
    );
    const modules = ((s().sandbox?.inspect().writes ?? []) as { module: string }[]).map((w) => w.module);

    expect(modules).toContain("replies");
    expect(modules).not.toContain("drafts");
  });
});

describe("audit trail as a field", () => {
  it("writes the audit trail into the configured field in the same update, with trigger []", async () => {
    await start({ worker: { AUDIT_MODE: "field", AUDIT_FIELD: "AI_Audit" } });
    const id = leadIds()[3] as string;

    await trigger(id);
    await until(() => expect(writesFor(id)).toHaveLength(1));
    const record = s().sandbox?.state.crm.find("Leads", id) as Record<string, string>;

    expect(writesFor(id)[0]?.fields[0]).toContain("AI_Audit");
    expect(record.AI_Audit).toMatch(
      /^AI lead-enrichment by zoho-gpt-mediator\nmodel: .*\nprompt: lead-enrichment\/.*\njob: .*\nfields changed: /,
    );
  });
});

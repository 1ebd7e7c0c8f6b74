/**
 * The worker's own trust boundary, end to end on the local stack: a work message that carries a traversal in its
 * module (as one would if anything upstream let it through) must not make the worker call Zoho outside the
 * service root it was built for; and a noisy record (valid, distinct requests for the same record) must be
 * stopped by the per-record cap before the model is called, not after.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqsQueue } from "../../shared/adapters/sqs/sqs-queue.js";
import type { WorkMessage } from "../../shared/schemas/work-message.js";
import { deadLetters, post, until } from "../helpers/local-stack.js";
import { recordCase, type SecurityStack, startSecurityStack } from "./helpers.js";

let stack: SecurityStack;
beforeAll(async () => {
  stack = await startSecurityStack({ worker: { RECORD_WRITE_CAP: "1" } });
});
afterAll(() => stack?.stop());

type Req = { method: string; path: string; service: string };
const requests = () => (stack.sandbox?.inspect().requests ?? []) as Req[];
const leadIds = () => [...(stack.sandbox?.state.crm.table("Leads").keys() ?? [])];

describe("traversal in a work message's module never leaves the Zoho service root (defect 2)", () => {
  const MODULES = [
    "../../settings/x",
    "Leads/../../settings/x",
    "..%2F..%2Fsettings%2Fx",
    "Leads?x=1#",
    "%2e%2e/settings",
  ];
  it(`the worker refuses ${MODULES.length} hostile modules, calls nothing outside /crm/v8 and dead-letters each with a reason`, async () => {
    const id = leadIds()[0] as string;
    const queue = new SqsQueue(stack.sqsClient, stack.queues.workUrl);
    const before = requests().length;
    const messages: WorkMessage[] = MODULES.map((module, i) => ({
      v: 1,
      jobId: randomUUID(),
      useCase: "lead-enrichment",
      connection: "default",
      source: "crm-workflow",
      dedupKey: `sec:traversal:${i}`,
      receivedAt: new Date().toISOString(),
      subject: { service: "crm", module, id },
      input: { module, id },
    }));
    await queue.send(messages);
    const dead: { body: string; reason: string | undefined }[] = [];
    await until(async () => {
      dead.push(...(await deadLetters(stack)));
      expect(dead.length).toBeGreaterThanOrEqual(MODULES.length);
    }, 30_000);

    const escaped = requests()
      .slice(before)
      .filter(
        (r) =>
          r.service !== "accounts" &&
          (!/^\/(api\/[a-z]+\/crm\/v8|desk\/[a-z]+\/api\/v1)\//.test(r.path) ||
            /settings(\/|%2f)x|\.\.|%2e/i.test(r.path)),
      )
      .map((r) => `${r.method} ${r.path}`);
    for (const m of MODULES)
      recordCase(import.meta.filename, {
        name: `worker: module ${JSON.stringify(m)}`,
        expect: "refuse",
        breached: escaped.length > 0,
      });

    expect(escaped, "Zoho calls outside the service root, or with a traversal in the path").toEqual([]);
    expect(dead.every((d) => d.reason)).toBe(true);
  });
});

describe("a noisy record is stopped before the model (defect 1)", () => {
  it("with a per-record cap of 1, four valid requests for one lead cost one model call and one write", async () => {
    const id = leadIds()[1] as string;
    const model = stack.model as NonNullable<SecurityStack["model"]>;
    const callsBefore = model.stats().requests;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(
        `${stack.api?.url}/v1/hooks/flow/lead-enrichment`,
        JSON.stringify({ module: "Leads", id }),
        { "x-mediator-token": stack.webhookToken, "idempotency-key": `noisy-${i}` },
      );
      statuses.push(res.status);
      if (res.status >= 300) continue;
      // Sequential on purpose: each job ends before the next starts, so the cap is never raced.
      const ended = () =>
        stack.events.filter((e) => /^(written|quarantined)\b/.test(e) && e.includes(`Leads ${id}`)).length;
      await until(() => expect(ended()).toBe(statuses.filter((s) => s < 300).length), 20_000);
    }
    const calls = model.stats().requests - callsBefore;
    const written = (
      (stack.sandbox?.inspect().writes ?? []) as { source: string; module: string; ids: string[] }[]
    ).filter((w) => w.source === "api" && w.module === "Leads" && w.ids.includes(id));
    recordCase(import.meta.filename, {
      name: "worker: per-record cap before the model",
      expect: "refuse",
      breached: calls > 1,
    });

    expect(statuses.every((s) => s < 500)).toBe(true);
    expect(written).toHaveLength(1);
    expect(calls, "model calls for a record already at its cap").toBe(1);
  });
});

/**
 * Dead letters and passing faults on the whole local stack (issue 9): a token-endpoint 5xx is retried, never a
 * dead letter; a dead-lettered job stays dead-lettered for its duplicates and runs once more only through `replay`.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { LOCAL_QUEUE_NAMES } from "../../../infra/cli/replay.js";
import { LOCAL_QUEUES } from "../../../infra/local/stack.js";
import { deadLetters, stackPerTest, until } from "../../helpers/local-stack.js";

const { start, get: s, writesFor, leadIds, trigger } = stackPerTest();
const seen = (stage: string, id: string) => s().events.filter((e) => e.startsWith(stage) && e.includes(id));

describe("dead letters", () => {
  it("Zoho Accounts answering 500 to the refresh: the unit is retried and written once, not dead-lettered", async () => {
    await start();
    const id = leadIds()[3] as string;
    await fetch(`${s().sandbox?.url}/_sandbox/tokens/expire`, { method: "POST" });
    s().sandbox?.inject({ target: "accounts", kind: 500, count: 1 });

    await trigger(id);
    await until(() => expect(seen("written", id)).toHaveLength(1), 20_000);

    expect(writesFor(id)).toHaveLength(1);
    expect(seen("retry", id).length).toBeGreaterThanOrEqual(1);
    expect(seen("quarantined", id)).toEqual([]);
    expect(await deadLetters(s())).toEqual([]);
  });

  it("a dead-lettered job: its duplicate does no work; `replay` runs it once; later duplicates do nothing", async () => {
    await start();
    const id = leadIds()[5] as string;
    s().model?.inject({ kind: "malformed", variant: "schema", count: 2 });

    await trigger(id, 1);
    await until(() => expect(seen("quarantined", id)).toHaveLength(1));
    // The same event delivered again (Zoho or a sender retrying): acknowledged, nothing asked, nothing written.
    const modelCalls = s().model?.stats().requests;
    await trigger(id, 1);
    await until(() => expect(seen("duplicate", id)).toHaveLength(1));
    expect(s().model?.stats().requests).toBe(modelCalls);
    expect(writesFor(id)).toEqual([]);

    const lines: string[] = [];
    const code = await main(["replay", "--sqs-endpoint", s().sqs.url], {}, (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe("replay: 1 dead letter(s) moved to the work queue");
    await until(() => expect(seen("written", id)).toHaveLength(1));

    await trigger(id, 1);
    await until(() => expect(seen("duplicate", id)).toHaveLength(2));
    expect(writesFor(id)).toHaveLength(1);
    expect(await deadLetters(s())).toEqual([]);
    const again: string[] = [];
    await main(["replay", "--sqs-endpoint", s().sqs.url], {}, (l) => again.push(l));
    expect(again).toEqual(["replay: 0 dead letter(s) moved to the work queue"]);
  });

  it("the CLI's local queue names are the local stack's", () => {
    expect(LOCAL_QUEUE_NAMES).toEqual({ work: LOCAL_QUEUES.work, deadLetter: LOCAL_QUEUES.deadLetter });
  });
});

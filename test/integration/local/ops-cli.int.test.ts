/**
 * The operations commands (issue 13) against a real local stack: `jobs show` of a lead that ran through it, `usage`
 * checked against the model server's own token count and the price table, `dlq list|show|replay --job` (exactly
 * once), `status`; each found through the state file `npm start` writes, and again with `--stage dev` against the
 * same emulators (AWS_ENDPOINT_URL_SQS / _DYNAMODB), as a deployed stage would be reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../../../infra/cli/commands/index.js";
import { runProgram } from "../../../infra/cli/program.js";
import { localStackState, writeLocalState } from "../../../infra/local/state-file.js";
import { DEFAULT_MODEL } from "../../../shared/config/worker-env.js";
import { priceOf } from "../../../shared/domain/model-prices.js";
import { leadWrites, seededLeadIds, startTestStack, triggerLead, until } from "../../helpers/local-stack.js";

type Stack = Awaited<ReturnType<typeof startTestStack>>;
let stack: Stack;
let stateDir: string;

async function cli(argv: string[], env: NodeJS.ProcessEnv = { LOCAL_STATE_DIR: stateDir }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(
    argv,
    {
      env,
      io: { out: (l) => out.push(l), err: (l) => err.push(l), stdin: process.stdin, interactive: false },
      deps: {},
    },
    COMMANDS,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The same stack reached as stage `dev` in "AWS": the SDK's endpoint variables point at its emulators. */
const asStage = (): NodeJS.ProcessEnv => ({
  LOCAL_STATE_DIR: join(stateDir, "none"),
  AWS_ENDPOINT_URL_SQS: stack.sqs.url,
  AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodb?.url,
  AWS_REGION: "us-east-1",
});

const jobIdOf = async (response: Response): Promise<string> => {
  expect(response.status).toBe(202);
  const body = (await response.json()) as { jobIds: string[] };
  expect(body.jobIds).toHaveLength(1);
  return body.jobIds[0] as string;
};

let written: { id: string; jobId: string };

beforeAll(async () => {
  stack = await startTestStack();
  stateDir = mkdtempSync(join(tmpdir(), "ops-cli-"));
  writeLocalState(stateDir, localStackState(stack));
  const id = seededLeadIds(stack)[0] as string;
  const jobId = await jobIdOf(await triggerLead(stack, id));
  await until(() => expect(leadWrites(stack, id)).toHaveLength(1), 30_000);
  // The job is done once its audit note is written and the store says so.
  await until(async () =>
    expect((await cli(["jobs", "show", jobId, "--json"])).out).toContain('"status": "done"'),
  );
  written = { id, jobId };
}, 120_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("ops commands on the local stack", () => {
  it("jobs show: the written lead's steps, writes, tokens, cost and audit", async () => {
    const { code, out, err } = await cli(["jobs", "show", written.jobId]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain(`job ${written.jobId}`);
    expect(out).toMatch(/status +done/);
    expect(out).toMatch(new RegExp(`trigger +crm:Leads:${written.id}:`));
    expect(out).toMatch(new RegExp(`1\\. done +crm-update Leads ${written.id}: `));
    expect(out).toMatch(/audit +done +crm-note/);
    expect(out).toMatch(/written +\S+/);
    expect(out).not.toContain("written     (nothing)");

    const json = JSON.parse((await cli(["jobs", "show", written.jobId, "--json"])).out);
    const model = stack.model?.stats();
    // One job ran: its tokens are the model server's, its cost the table's price for them.
    expect(json.promptTokens).toBe(model?.prompt_tokens);
    expect(json.completionTokens).toBe(model?.completion_tokens);
    const price = priceOf(json.model ?? DEFAULT_MODEL);
    expect(price.known).toBe(true);
    const expected = (json.promptTokens * price.prompt + json.completionTokens * price.completion) / 1e6;
    expect(json.costMicros).toBeGreaterThan(0);
    expect(Math.abs(json.costMicros - expected)).toBeLessThanOrEqual(1);
    expect(json.written.length).toBeGreaterThan(0);
    expect(json.outcome.promptVersion).toEqual(expect.any(String));
  });

  it("usage: the ledger's tokens are the model server's and the cost is the price table's", async () => {
    const model = stack.model?.stats();
    const { code, out } = await cli(["usage", "--since", "7d", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.total.promptTokens).toBe(model?.prompt_tokens);
    expect(report.total.completionTokens).toBe(model?.completion_tokens);
    const price = priceOf(DEFAULT_MODEL);
    const expected =
      (report.total.promptTokens * price.prompt + report.total.completionTokens * price.completion) / 1e6;
    expect(report.total.costMicros).toBeGreaterThan(0);
    // The ledger rounds each call's micro-dollars.
    expect(Math.abs(report.total.costMicros - expected)).toBeLessThanOrEqual(report.total.calls);
    expect(report.lines.map((l: { key: string }) => l.key)).toEqual(["lead-enrichment"]);

    const table = await cli(["usage", "--by", "day"]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^usage \d{4}-\d{2}-\d{2} \.\. \d{4}-\d{2}-\d{2} by day/);
    expect(table.out).toMatch(/\ntotal +\d+ calls/);
  });

  it("dlq list, show and replay --job: the dead-lettered job runs once more, exactly once", async () => {
    const id = seededLeadIds(stack)[2] as string;
    stack.model?.inject({ kind: "malformed", variant: "schema", count: 2 });
    const jobId = await jobIdOf(await triggerLead(stack, id));
    await until(async () => expect((await cli(["dlq", "list"])).out).toContain(`job ${jobId}`), 30_000);

    const list = await cli(["dlq", "list", "--json"]);
    expect(list.code).toBe(0);
    const letters = JSON.parse(list.out) as { id: string; jobId: string; reason: string; body?: string }[];
    // The list leaves the message out; show has it.
    const full = JSON.parse((await cli(["dlq", "show", jobId, "--json"])).out) as { body: string };
    expect(letters).toHaveLength(1);
    expect(letters[0]?.jobId).toBe(jobId);
    expect(letters[0]?.reason).toBeTruthy();

    const show = await cli(["dlq", "show", jobId]);
    expect(show.code).toBe(0);
    expect(show.out).toContain(`dead letter ${letters[0]?.id}`);
    expect(show.out).toContain(`replay it with: zoho-gpt-mediator dlq replay --job ${jobId}`);
    expect((await cli(["dlq", "show", "no-such-letter"])).code).toBe(1);

    const replay = await cli(["dlq", "replay", "--job", jobId]);
    expect(replay.code).toBe(0);
    expect(replay.out).toContain(`replayed  job ${jobId}`);
    expect(replay.out).toContain("replay: 1 dead letter(s) moved to the work queue");
    await until(() => expect(leadWrites(stack, id)).toHaveLength(1), 30_000);

    // Its dead letter is spent: a second replay of the job finds nothing and says so.
    const again = await cli(["dlq", "replay", "--job", jobId]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`no dead letter for job ${jobId}`);
    await until(async () =>
      expect((await cli(["jobs", "show", jobId, "--json"])).out).toContain('"status": "done"'),
    );
    expect(leadWrites(stack, id)).toHaveLength(1);
    // A crash between the replay's send and its delete leaves a second copy marked as the same replay: the job
    // store has spent that mark, so the copy is acknowledged as a duplicate, no model call, no write.
    expect((await cli(["dlq", "show", jobId, "--json"])).code).toBe(1);
    const requests = stack.model?.stats().requests;
    await stack.sqsClient.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.workUrl,
        MessageBody: full.body,
        MessageAttributes: { replay: { DataType: "String", StringValue: letters[0]?.id as string } },
      }),
    );
    await until(() =>
      expect(stack.events.filter((e) => e.startsWith("duplicate") && e.includes(id)).length).toBeGreaterThan(
        0,
      ),
    );
    expect(stack.model?.stats().requests).toBe(requests);
    expect(leadWrites(stack, id)).toHaveLength(1);
    const shown = JSON.parse((await cli(["jobs", "show", jobId, "--json"])).out);
    expect(shown.replayOf).toBe(letters[0]?.id);
  });

  it("status: queue depths, last errors, alarms n/a locally", async () => {
    const { code, out } = await cli(["status"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^work queue +\d+ waiting, \d+ in flight, \d+ delayed/);
    expect(out).toMatch(/\ndead letters +\d+/);
    expect(out).toContain("alarms         n/a (no CloudWatch for this target)");
    const json = JSON.parse((await cli(["status", "--json"])).out);
    expect(json.target).toBe("local");
    expect(json.alarmsInAlarm).toBe("n/a");
    const verbose = await cli(["status", "--verbose"]);
    expect(verbose.err).toBe(`target: the local stack (${stack.api?.url})`);
  });

  it("--stage dev against the emulators: the same job, usage and queues", async () => {
    const env = asStage();
    // The SDK reads its endpoint variables from the process environment, as it would in an operator's shell.
    vi.stubEnv("AWS_ENDPOINT_URL_SQS", env.AWS_ENDPOINT_URL_SQS);
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", env.AWS_ENDPOINT_URL_DYNAMODB);
    const job = await cli(["jobs", "show", written.jobId, "--stage", "dev", "--verbose"], env);
    expect(job.err).toContain("target: stage dev (us-east-1)");
    expect(job.code, job.err).toBe(0);
    expect(job.out).toMatch(/status +done/);
    const usage = await cli(["usage", "--stage", "dev", "--json"], env);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.out).total.calls).toBeGreaterThan(0);
    const status = await cli(["status", "--stage", "dev", "--json"], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).alarmsInAlarm).toBe("n/a");
    const dlq = await cli(["dlq", "list", "--stage", "dev"], env);
    expect(dlq.code).toBe(0);
    expect(dlq.out).toBe("no dead letters");
    const replay = await cli(["dlq", "replay", "--all", "--stage", "dev"], env);
    expect(replay.code).toBe(0);
    expect(replay.out).toBe("replay: 0 dead letter(s) moved to the work queue");
    // An unknown job: exit 1 with the reason on stderr.
    const missing = await cli(["jobs", "show", "nope", "--stage", "dev"], env);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no job nope");
  });
});

describe("ops commands' usage", () => {
  it("each has --help (exit 0) and refuses bad usage with exit 2", async () => {
    for (const argv of [
      ["status"],
      ["dlq"],
      ["dlq", "list"],
      ["dlq", "show"],
      ["dlq", "replay"],
      ["jobs", "show"],
      ["usage"],
      ["replay"],
    ]) {
      const help = await cli([...argv, "--help"]);
      expect(help.code, argv.join(" ")).toBe(0);
      expect(help.out, argv.join(" ")).toContain("Usage: zoho-gpt-mediator");
    }
    const noChoice = await cli(["dlq", "replay"]);
    expect(noChoice.code).toBe(2);
    expect(noChoice.err).toContain("--all, or --job <jobId>");
    expect((await cli(["dlq", "replay", "--all", "--job", "x"])).code).toBe(2);
    const since = await cli(["usage", "--since", "a week"]);
    expect(since.code).toBe(2);
    expect(since.err).toContain("--since must be like 7d");
    expect((await cli(["usage", "--by", "model"])).code).toBe(2);
    expect((await cli(["jobs", "show"])).code).toBe(2);
    expect((await cli(["status", "--bogus"])).code).toBe(2);
  });
});

/**
 * Issue 9, defect 3 (the adapter half): SQS refusing a message's content is a non-retryable rejection (4xx at
 * ingest); only an unavailable queue is retryable (503). Fails on a0e426a, where every failure was "unavailable".
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { SqsQueue } from "../../../../../shared/adapters/sqs/sqs-queue.js";
import { UpstreamRejectedError, UpstreamUnavailableError } from "../../../../../shared/errors.js";
import type { WorkMessage } from "../../../../../shared/schemas/work-message.js";

const message = (i: number): WorkMessage => ({
  v: 1,
  jobId: "00000000-0000-8000-8000-000000000000",
  useCase: "lead-enrichment",
  connection: "default",
  source: "crm-workflow",
  dedupKey: `k${i}`,
  receivedAt: "2026-11-30T00:00:00.000Z",
  subject: null,
  input: {},
});

const failing = (error: unknown) => ({ send: async () => Promise.reject(error) }) as unknown as SQSClient;
const named = (name: string) => Object.assign(new Error(name), { name });

describe("SqsQueue error classification", () => {
  it.each(["InvalidMessageContents", "InvalidParameterValue", "MessageTooLong", "BatchRequestTooLong"])(
    "%s is a non-retryable rejection",
    async (name) => {
      const error = await new SqsQueue(failing(named(name)), "http://q").send([message(0)]).catch((e) => e);

      expect(error).toBeInstanceOf(UpstreamRejectedError);
      expect(error.retryable).toBe(false);
      expect(error.code).toBe(name);
    },
  );

  it("a query-compatible code (AWS.SimpleQueueService.InvalidMessageContents, as the SDK reports it) is a rejection", async () => {
    const queryCode = "AWS.SimpleQueueService.InvalidMessageContents";
    const thrown = Object.assign(named(queryCode), { Code: queryCode });
    const error = await new SqsQueue(failing(thrown), "http://q").send([message(0)]).catch((e) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error.code).toBe("InvalidMessageContents");
  });

  it.each(["ServiceUnavailable", "ThrottlingException", "TimeoutError", "QueueDoesNotExist"])(
    "%s stays retryable (503 at ingest)",
    async (name) => {
      const error = await new SqsQueue(failing(named(name)), "http://q").send([message(0)]).catch((e) => e);

      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect(error.retryable).toBe(true);
    },
  );

  it("a batch entry refused for its content is a rejection, a failed one otherwise unavailable", async () => {
    const batch = (Code: string) =>
      ({
        send: async () => ({ Successful: [], Failed: [{ Id: "0", Code, SenderFault: true }] }),
      }) as unknown as SQSClient;

    const refused = await new SqsQueue(batch("InvalidMessageContents"), "http://q")
      .send([message(0), message(1)])
      .catch((e) => e);
    const failed = await new SqsQueue(batch("InternalError"), "http://q")
      .send([message(0), message(1)])
      .catch((e) => e);

    expect(refused).toBeInstanceOf(UpstreamRejectedError);
    expect(failed).toBeInstanceOf(UpstreamUnavailableError);
  });
});

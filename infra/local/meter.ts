/**
 * The local stack's meter: what the deployed stack would be billed for, counted on one machine. AWS SDK v3 client
 * middleware counts each command sent to SQS, DynamoDB and Secrets Manager (and estimates DynamoDB request units);
 * wrapping the local function handlers counts Lambda invocations and their measured durations; wrapping the API's
 * `/v1/` routes counts API Gateway requests. Nothing in `shared/` knows about it: the benchmarks read
 * `stack.meter.snapshot()` and price it (bench/cost/).
 */
import type { MiddlewareStack } from "@smithy/types";

/** One Lambda function's invocations and the sum of their measured durations. */
export interface LambdaUsage {
  invocations: number;
  ms: number;
}

/**
 * DynamoDB requests and their estimated request units. The units are an ESTIMATE from the items each command
 * carries (the input for writes, the output for reads), by DynamoDB's on-demand rules: a read is 1 RRU per 4 KB
 * when strongly consistent, 0.5 when eventually consistent; a write is 1 WRU per 1 KB; a transactional item costs
 * twice. An update is estimated from the attributes it sends, not the item it changes (DynamoDB bills the larger of
 * the item before and after), so writes to large items are undercounted.
 */
export interface DynamoDbUsage {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Requests per command name without the `Command` suffix (`GetItem`, `TransactWriteItems`, ...). */
  [operation: string]: number;
}

export interface MeterSnapshot {
  lambda: Record<string, LambdaUsage>;
  /** SQS requests per operation (`SendMessageBatch`, `ReceiveMessage`, `DeleteMessageBatch`, ...). */
  sqs: Record<string, number>;
  dynamodb: DynamoDbUsage;
  /** Secrets Manager API calls. */
  secretsManager: number;
  /** Requests the local API Gateway stand-in served on its `/v1/` routes. */
  apiRequests: number;
}

/** A client whose middleware stack the meter can join (every AWS SDK v3 client). */
interface MeteredClient {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK clients' stacks differ only in their input/output types
  middlewareStack: MiddlewareStack<any, any>;
}

export type MeteredService = "sqs" | "dynamodb" | "secretsManager";

export interface Meter extends MeterSnapshot {
  /** Counts every command `client` sends from now on as a request to `service`. */
  attach(client: MeteredClient, service: MeteredService): void;
  /** `handler` counted as invocations of Lambda function `name`, each timed from call to settle. */
  wrapFunction<A extends unknown[], R>(
    name: string,
    handler: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R>;
  /** `handler` counted as API Gateway requests. */
  wrapApi<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
  /** Wrapped function invocations still running (their time is added when they settle). */
  inFlight(): number;
  reset(): void;
  /** A copy of the counts, safe to keep across `reset()`. */
  snapshot(): MeterSnapshot;
}

const MIDDLEWARE_NAME = "localMeter";
const KB = 1024;

/** Bytes DynamoDB counts for a value: marshalled (`{S: "x"}`) or plain (lib-dynamodb's input before marshalling). */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "bigint") return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === "boolean") return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  const entries = Object.entries(value as Record<string, unknown>);
  // A marshalled AttributeValue is an object with exactly one type key.
  const [only] = entries;
  if (entries.length === 1 && only && MARSHALLED_TYPES.has(only[0])) {
    const [type, inner] = only;
    if (type === "N") return Math.ceil(String(inner).length / 2) + 1;
    if (type === "NULL" || type === "BOOL") return 1;
    if (type === "M") return 3 + itemSize(inner as Record<string, unknown>);
    return valueSize(inner);
  }
  return 3 + itemSize(value as Record<string, unknown>);
}
const MARSHALLED_TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/** An item's size as DynamoDB counts it: each attribute's name plus its value. */
export function itemSize(item: Record<string, unknown> | undefined): number {
  if (!item) return 0;
  let n = 0;
  for (const [name, value] of Object.entries(item)) n += Buffer.byteLength(name) + valueSize(value);
  return n;
}

type Input = Record<string, unknown> & {
  Item?: Record<string, unknown>;
  Key?: Record<string, unknown>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ExpressionAttributeNames?: Record<string, string>;
  ConsistentRead?: boolean;
};
type Output = Record<string, unknown> & {
  Item?: Record<string, unknown>;
  Items?: Record<string, unknown>[];
  Responses?: unknown;
};

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);
/** What a single-item write sends: the whole item, or the key and the attributes an update sets. */
const writeBytes = (input: Input) =>
  input.Item
    ? itemSize(input.Item)
    : itemSize(input.Key) +
      itemSize(input.ExpressionAttributeValues) +
      Object.values(input.ExpressionAttributeNames ?? {}).reduce((n, a) => n + Buffer.byteLength(a), 0);

/** Estimated request units of one DynamoDB command (see `DynamoDbUsage`). */
export function estimateUnits(
  operation: string,
  input: Input,
  output: Output | undefined,
): { read: number; write: number } {
  const consistent = input.ConsistentRead === true;
  switch (operation) {
    case "PutItem":
    case "UpdateItem":
    case "DeleteItem":
      return { read: 0, write: writeUnits(writeBytes(input)) };
    case "GetItem":
      return { read: readUnits(itemSize(output?.Item), consistent), write: 0 };
    case "Query":
    case "Scan": {
      // Billed on the total size read, rounded up once per request.
      const bytes = (output?.Items ?? []).reduce((n, i) => n + itemSize(i), 0);
      return { read: readUnits(bytes, consistent), write: 0 };
    }
    case "BatchGetItem": {
      const responses = (output?.Responses ?? {}) as Record<string, Record<string, unknown>[]>;
      const consistentOf = (table: string) =>
        (input.RequestItems as Record<string, { ConsistentRead?: boolean }> | undefined)?.[table]
          ?.ConsistentRead === true;
      let read = 0;
      for (const [table, items] of Object.entries(responses))
        for (const item of items) read += readUnits(itemSize(item), consistentOf(table));
      return { read, write: 0 };
    }
    case "BatchWriteItem": {
      let write = 0;
      for (const requests of Object.values(
        (input.RequestItems ?? {}) as Record<string, Record<string, Input>[]>,
      ))
        for (const r of requests)
          write += writeUnits(r.PutRequest ? itemSize(r.PutRequest.Item) : itemSize(r.DeleteRequest?.Key));
      return { read: 0, write };
    }
    case "TransactWriteItems": {
      let write = 0;
      for (const entry of (input.TransactItems ?? []) as Record<string, Input>[]) {
        const one = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
        if (one) write += 2 * writeUnits(writeBytes(one));
      }
      return { read: 0, write };
    }
    case "TransactGetItems": {
      const responses = (output?.Responses ?? []) as { Item?: Record<string, unknown> }[];
      return { read: responses.reduce((n, r) => n + 2 * readUnits(itemSize(r.Item), true), 0), write: 0 };
    }
    default:
      return { read: 0, write: 0 };
  }
}

const emptyDynamoDb = (): DynamoDbUsage => ({ requests: 0, readUnits: 0, writeUnits: 0 });

/** A meter with every count at 0. */
export function createMeter(now: () => number = () => performance.now()): Meter {
  let running = 0;
  const meter: Meter = {
    lambda: {},
    sqs: {},
    dynamodb: emptyDynamoDb(),
    secretsManager: 0,
    apiRequests: 0,
    attach(client, service) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
          if (service === "sqs") meter.sqs[operation] = (meter.sqs[operation] ?? 0) + 1;
          else if (service === "secretsManager") meter.secretsManager += 1;
          if (service !== "dynamodb") return next(args);
          const ddb = meter.dynamodb;
          ddb.requests += 1;
          ddb[operation] = (ddb[operation] ?? 0) + 1;
          let output: Output | undefined;
          try {
            const result = await next(args);
            output = result.output as Output;
            return result;
          } finally {
            // A failed request (a condition that did not hold) still consumes its write units.
            const units = estimateUnits(operation, args.input as Input, output);
            ddb.readUnits += units.read;
            ddb.writeUnits += units.write;
          }
        },
        // Initialize runs once per send(): an SDK retry of the same send is not counted (the local emulators
        // do not throttle, so there are none to count).
        { step: "initialize", name: MIDDLEWARE_NAME, override: true },
      );
    },
    wrapFunction(name, handler) {
      return async (...args) => {
        const usage = meter.lambda[name] ?? { invocations: 0, ms: 0 };
        meter.lambda[name] = usage;
        usage.invocations += 1;
        const started = now();
        running += 1;
        try {
          return await handler(...args);
        } finally {
          running -= 1;
          // Re-read: a reset() during the call starts a new record, which this call's time then belongs to.
          const current = meter.lambda[name] ?? { invocations: 0, ms: 0 };
          meter.lambda[name] = current;
          current.ms += now() - started;
        }
      };
    },
    wrapApi(handler) {
      return async (...args) => {
        meter.apiRequests += 1;
        return handler(...args);
      };
    },
    inFlight: () => running,
    reset() {
      meter.lambda = {};
      meter.sqs = {};
      meter.dynamodb = emptyDynamoDb();
      meter.secretsManager = 0;
      meter.apiRequests = 0;
    },
    snapshot() {
      return structuredClone({
        lambda: meter.lambda,
        sqs: meter.sqs,
        dynamodb: meter.dynamodb,
        secretsManager: meter.secretsManager,
        apiRequests: meter.apiRequests,
      });
    },
  };
  return meter;
}

/**
 * The benchmarks' cost model: what 1,000 events cost on AWS (from the local meter's counts, priced from the dated
 * table in aws-prices.ts and each function's configured memory) and at the model provider (from token counts, priced
 * from shared/domain/model-prices.ts). Infrastructure and model costs stay separate: the model's dominates and moves
 * with the model chosen; the infrastructure's is what this repository's design decides.
 */
import { FUNCTION_MEMORY_MB } from "../../infra/constructs/function-memory.js";
import type { MeterSnapshot } from "../../infra/local/meter.js";
import { DEFAULT_MODEL_PRICES, type ModelPrice, priceOf } from "../../shared/domain/model-prices.js";
import { AWS_PRICES, type AwsPrices } from "./aws-prices.js";

/** The configured memory of a metered function (the meter's names: worker, ingest, tools, refresher, ...). */
export const memoryMbOf = (fn: string): number =>
  fn === "worker" || fn === "ingest" || fn === "tools" ? FUNCTION_MEMORY_MB[fn] : FUNCTION_MEMORY_MB.default;

/** US dollars per service for everything the meter counted, and their sum. */
export interface InfraCost {
  lambdaRequests: number;
  lambdaCompute: number;
  sqs: number;
  dynamodb: number;
  secretsManager: number;
  apiGateway: number;
  total: number;
}

/**
 * What the metered work cost, in US dollars: Lambda requests and GB-seconds (measured duration, rounded up to the
 * millisecond as Lambda bills, on average per invocation, x configured memory), SQS requests, DynamoDB request units
 * (the meter's estimate), Secrets Manager calls and API Gateway requests. No free tier.
 */
export function infraCost(snapshot: MeterSnapshot, prices: AwsPrices = AWS_PRICES): InfraCost {
  let invocations = 0;
  let gbSeconds = 0;
  for (const [fn, usage] of Object.entries(snapshot.lambda)) {
    invocations += usage.invocations;
    // Each invocation is billed to the next millisecond: at most 1 ms more each than the measured sum.
    const billedMs = usage.invocations ? Math.ceil(usage.ms / usage.invocations) * usage.invocations : 0;
    gbSeconds += (billedMs / 1000) * (memoryMbOf(fn) / 1024);
  }
  const sqsRequests = Object.values(snapshot.sqs).reduce((n, c) => n + c, 0);
  const cost = {
    lambdaRequests: invocations * prices.lambdaPerRequest,
    lambdaCompute: gbSeconds * prices.lambdaPerGbSecond,
    sqs: sqsRequests * prices.sqsPerRequest,
    dynamodb:
      snapshot.dynamodb.readUnits * prices.dynamodbPerReadUnit +
      snapshot.dynamodb.writeUnits * prices.dynamodbPerWriteUnit,
    secretsManager: snapshot.secretsManager * prices.secretsManagerPerCall,
    apiGateway: snapshot.apiRequests * prices.apiGatewayPerRequest,
  };
  return { ...cost, total: Object.values(cost).reduce((n, c) => n + c, 0) };
}

/** Infrastructure US dollars per 1,000 events, model tokens excluded. */
export function infraCostPer1k(
  snapshot: MeterSnapshot,
  events: number,
  prices: AwsPrices = AWS_PRICES,
): number {
  if (events <= 0) return 0;
  return (infraCost(snapshot, prices).total / events) * 1000;
}

/** Token counts of a run: `cachedPrompt` is the part of `prompt` the provider served from its prompt cache. */
export interface TokenCounts {
  prompt: number;
  completion: number;
  cachedPrompt?: number | undefined;
}

/**
 * A model price with its cached-input price, when the table has one (micro-dollars per 1M tokens, as `prompt`).
 * Until it does, cached prompt tokens cost the prompt price: the figure errs high, never low.
 */
type PriceWithCache = ModelPrice & { cachedPrompt?: number | undefined };

/** Model US dollars per 1,000 events: uncached prompt, cached prompt and completion tokens at `model`'s prices. */
export function modelCostPer1k(
  tokens: TokenCounts,
  model: string,
  events: number,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_MODEL_PRICES,
): number {
  if (events <= 0) return 0;
  const price: PriceWithCache = priceOf(model, table);
  const cached = Math.min(tokens.cachedPrompt ?? 0, tokens.prompt);
  const micros =
    ((tokens.prompt - cached) * price.prompt +
      cached * (price.cachedPrompt ?? price.prompt) +
      tokens.completion * price.completion) /
    1e6;
  return (micros / 1e6 / events) * 1000;
}

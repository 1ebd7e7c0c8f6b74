/**
 * AWS list prices the benchmarks' cost model uses: us-east-1, Lambda on arm64, on-demand, no free tier, first
 * volume tier. Prices move: the table carries its date and sources; check them before quoting a figure.
 */

/** When the table was checked against its sources. */
export const AWS_PRICES_AS_OF = "2026-11-30";

/**
 * Where each figure comes from (all US East (N. Virginia), first tier, checked on the date above):
 * - Lambda arm64 duration $0.0000133334 per GB-second (first 7.5 billion GB-s a month) and $0.20 per million
 *   requests: https://aws.amazon.com/lambda/pricing/ , as tabulated by https://cloudchipr.com/blog/aws-lambda-pricing
 * - SQS standard queue $0.40 per million requests (after the first million a month; each 64 KB chunk of a payload is
 *   a request): https://aws.amazon.com/sqs/pricing/ , via https://cloudburn.io/blog/amazon-sqs-pricing (March 2026)
 * - DynamoDB on-demand (Standard table class) $0.625 per million write request units and $0.125 per million read
 *   request units, the prices since the 50% cut of 1 November 2024: https://aws.amazon.com/dynamodb/pricing/on-demand/ ,
 *   via https://airbyte.com/data-engineering-resources/dynamodb-pricing (July 2025)
 * - Secrets Manager $0.05 per 10,000 API calls (the $0.40 per secret-month is fixed, not per event):
 *   https://aws.amazon.com/secrets-manager/pricing/ , via https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms
 * - API Gateway HTTP API $1.00 per million requests (first 300 million a month; metered in 512 KB increments):
 *   https://aws.amazon.com/api-gateway/pricing/ , via https://www.apigatewaycost.com/aws
 */
export const AWS_PRICES_SOURCE = "AWS list prices, us-east-1, arm64, on-demand; see bench/cost/aws-prices.ts";

/** US dollars per unit. */
export const AWS_PRICES = Object.freeze({
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  sqsPerRequest: 0.4 / 1_000_000,
  dynamodbPerWriteUnit: 0.625 / 1_000_000,
  dynamodbPerReadUnit: 0.125 / 1_000_000,
  secretsManagerPerCall: 0.05 / 10_000,
  apiGatewayPerRequest: 1 / 1_000_000,
});
export type AwsPrices = typeof AWS_PRICES;

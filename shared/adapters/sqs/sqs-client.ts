import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";

/**
 * Builds the one kind of SQS client the product uses. `useQueueUrlAsEndpoint: false` makes the SDK send every
 * call to the configured endpoint instead of the host inside the queue URL: on AWS that is the same regional
 * endpoint, and against the local emulator it avoids its unresolvable `*.localhost` queue hosts.
 */
export function createSqsClient(
  config: { region?: string; endpoint?: string } & Omit<SQSClientConfig, "useQueueUrlAsEndpoint"> = {},
): SQSClient {
  return new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
}

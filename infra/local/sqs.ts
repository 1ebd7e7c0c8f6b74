/**
 * The SQS emulator: fauxqs 1.9 (in-process) speaks the AWS JSON protocol the v3 SDK uses, with RedrivePolicy,
 * dead-letter queues after maxReceiveCount, visibility timeouts, batches and long polling.
 * Its queue URLs carry a `*.localhost` host that does not resolve here, so every product SQS client is built
 * with `useQueueUrlAsEndpoint: false` (see shared/adapters/sqs/sqs-client.ts).
 * Known gaps: it accepts invalid receipt handles, and it binds 0.0.0.0 rather than loopback.
 */
import { type FauxqsServer, startFauxqs } from "fauxqs";

export interface SqsEmulator {
  readonly url: string;
  readonly port: number;
  readonly server: FauxqsServer;
  close(): Promise<void>;
}

export async function startSqs(options: { port?: number; region?: string } = {}): Promise<SqsEmulator> {
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    defaultRegion: options.region ?? "us-east-1",
  });
  return { server, port: server.port, url: `http://127.0.0.1:${server.port}`, close: () => server.stop() };
}

import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ConfigError, UpstreamUnavailableError } from "../../errors.js";
import type { Clock } from "../../ports/clock.js";
import { systemClock } from "../../ports/clock.js";
import type { SecretStore, SecretValue } from "../../ports/secret-store.js";

export interface SecretsManagerStoreOptions {
  client: SecretsManagerClient;
  /** How long a read is reused before Secrets Manager is asked again. @default 60_000 */
  ttlMs?: number;
  clock?: Clock;
}

/** The SecretStore over AWS Secrets Manager, with a per-container TTL cache. */
export class SecretsManagerStore implements SecretStore {
  private readonly cache = new Map<string, { value: SecretValue; at: number }>();
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: SecretsManagerStoreOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretValue> {
    const hit = this.cache.get(name);
    if (!options.fresh && hit && this.clock.now() - hit.at < this.ttlMs) return hit.value;
    try {
      const out = await this.options.client.send(new GetSecretValueCommand({ SecretId: name }));
      if (out.SecretString === undefined || out.VersionId === undefined)
        throw new ConfigError(`secret "${name}" has no string value`);
      const value = { value: out.SecretString, versionId: out.VersionId };
      this.cache.set(name, { value, at: this.clock.now() });
      return value;
    } catch (error) {
      throw translate(error, name);
    }
  }

  async put(name: string, value: string): Promise<{ versionId: string }> {
    try {
      const out = await this.options.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: value }),
      );
      const versionId = out.VersionId ?? "";
      this.cache.set(name, { value: { value, versionId }, at: this.clock.now() });
      return { versionId };
    } catch (error) {
      throw translate(error, name);
    }
  }

  async upsert(name: string, value: string): Promise<{ versionId: string; created: boolean }> {
    try {
      return { ...(await this.put(name, value)), created: false };
    } catch (error) {
      if (!(error instanceof ConfigError && error.cause instanceof ResourceNotFoundException)) throw error;
      const out = await this.options.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: "zoho-gpt-mediator Zoho connection",
        }),
      );
      this.cache.set(name, { value: { value, versionId: out.VersionId ?? "" }, at: this.clock.now() });
      return { versionId: out.VersionId ?? "", created: true };
    }
  }
}

function translate(error: unknown, name: string): Error {
  if (error instanceof ConfigError) return error;
  if (error instanceof ResourceNotFoundException)
    return new ConfigError(`secret "${name}" does not exist; deploy the stack and run the auth command`, {
      cause: error,
    });
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === "CredentialsProviderError") {
    return new ConfigError(
      `no AWS credentials to read "${name}": configure a profile or environment credentials for the target account`,
      { cause: error },
    );
  }
  const status = e.$metadata?.httpStatusCode;
  // AccessDenied, DecryptionFailure, InvalidRequest: the deployment is wrong, not the moment; retrying cannot help.
  if (status !== undefined && status < 500 && e.name !== "ThrottlingException") {
    return new ConfigError(`Secrets Manager refused the call for "${name}" (${e.name ?? status})`, {
      cause: error,
    });
  }
  return new UpstreamUnavailableError(
    "aws",
    `Secrets Manager call for "${name}" failed (${e.name ?? "error"})`,
    { cause: error, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) },
  );
}

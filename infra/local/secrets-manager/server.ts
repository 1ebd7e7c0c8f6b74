/**
 * A local AWS Secrets Manager: the subset of the AWS JSON 1.1 protocol the mediator uses.
 *
 * No Secrets Manager emulator exists on npm or Debian (no moto, no LocalStack without Docker), so this one follows
 * AWS's documented rules closely enough that `@aws-sdk/client-secrets-manager` cannot tell the difference for:
 * CreateSecret, GetSecretValue (by VersionStage or VersionId), PutSecretValue (VersionStages, idempotent
 * ClientRequestToken), UpdateSecretVersionStage (AWSCURRENT -> AWSPREVIOUS, RemoveFromVersionId rules),
 * DescribeSecret, ListSecrets, ListSecretVersionIds and DeleteSecret. Requests are not signature-checked.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { deserialize, serialize } from "node:v8";
import { listen, type RunningServer, readBody, sendJson } from "../http.js";
import { atomicWrite } from "../persistence.js";

const CURRENT = "AWSCURRENT";
const PREVIOUS = "AWSPREVIOUS";
/** AWS keeps about 100 versions; older versions without a staging label are removed beyond that. */
const MAX_VERSIONS = 100;
/** SecretString/SecretBinary limit documented by AWS. */
const MAX_SECRET_BYTES = 65_536;

interface Version {
  readonly id: string;
  readonly secretString?: string;
  readonly secretBinary?: string;
  readonly created: Date;
  stages: Set<string>;
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  readonly created: Date;
  description?: string;
  tags: { Key: string; Value: string }[];
  lastChanged: Date;
  lastAccessed?: Date;
  deletedDate?: Date;
  versions: Map<string, Version>;
}

/** An error in AWS's JSON 1.1 shape: `{"__type", "message"}` with status 400. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = "AwsJsonError";
  }
}

type Input = Record<string, unknown>;
const epoch = (date: Date): number => date.getTime() / 1000;

/** The in-memory store; exported so tests and the local stack can inspect it without the SDK. */
export class SecretsStore {
  readonly secrets = new Map<string, Secret>();
  /** Counts operations by name, for tests that assert caching (e.g. "one GetSecretValue per TTL"). */
  readonly calls = new Map<string, number>();

  constructor(
    private readonly region = "us-east-1",
    private readonly account = "000000000000",
  ) {}

  private find(secretId: unknown, allowDeleted = false): Secret {
    if (typeof secretId !== "string" || secretId.length === 0) {
      throw new AwsJsonError("InvalidParameterException", "You must provide a SecretId.");
    }
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId);
    if (!secret)
      throw new AwsJsonError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    if (secret.deletedDate && !allowDeleted) {
      throw new AwsJsonError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  private static value(input: Input): { secretString?: string; secretBinary?: string } {
    const { SecretString, SecretBinary } = input;
    if (SecretString !== undefined && SecretBinary !== undefined) {
      throw new AwsJsonError(
        "InvalidParameterException",
        "You can't specify both SecretString and SecretBinary.",
      );
    }
    if (SecretString !== undefined) {
      if (typeof SecretString !== "string")
        throw new AwsJsonError("InvalidParameterException", "Invalid SecretString.");
      if (Buffer.byteLength(SecretString) > MAX_SECRET_BYTES) {
        throw new AwsJsonError(
          "InvalidParameterException",
          "SecretString exceeds the maximum size of 65536 bytes.",
        );
      }
      return { secretString: SecretString };
    }
    if (SecretBinary !== undefined) {
      if (typeof SecretBinary !== "string")
        throw new AwsJsonError("InvalidParameterException", "Invalid SecretBinary.");
      return { secretBinary: SecretBinary };
    }
    return {};
  }

  /** Moves `stage` to `version`; moving AWSCURRENT hands AWSPREVIOUS to the version that held it. */
  private attachStage(secret: Secret, stage: string, version: Version): void {
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    if (holder === version) return;
    holder?.stages.delete(stage);
    version.stages.add(stage);
    if (stage === CURRENT && holder) {
      for (const v of secret.versions.values()) v.stages.delete(PREVIOUS);
      holder.stages.add(PREVIOUS);
    }
  }

  private prune(secret: Secret): void {
    const unlabeled = [...secret.versions.values()]
      .filter((v) => v.stages.size === 0)
      .sort((a, b) => a.created.getTime() - b.created.getTime());
    while (secret.versions.size > MAX_VERSIONS && unlabeled.length > 0) {
      const oldest = unlabeled.shift();
      if (oldest) secret.versions.delete(oldest.id);
    }
  }

  CreateSecret(input: Input): Input {
    const name = input.Name;
    if (typeof name !== "string" || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new AwsJsonError(
        "InvalidParameterException",
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
      );
    }
    if (this.secrets.has(name)) {
      throw new AwsJsonError(
        "ResourceExistsException",
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const now = new Date();
    const secret: Secret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomBytes(3).toString("hex")}`,
      created: now,
      lastChanged: now,
      tags: Array.isArray(input.Tags) ? (input.Tags as { Key: string; Value: string }[]) : [],
      versions: new Map(),
      ...(typeof input.Description === "string" ? { description: input.Description } : {}),
    };
    const value = SecretsStore.value(input);
    this.secrets.set(name, secret);
    const out: Input = { ARN: secret.arn, Name: name };
    if (value.secretString !== undefined || value.secretBinary !== undefined) {
      const id = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
      secret.versions.set(id, { id, ...value, created: now, stages: new Set([CURRENT]) });
      out.VersionId = id;
    }
    return out;
  }

  GetSecretValue(input: Input): Input {
    const secret = this.find(input.SecretId);
    const { VersionId, VersionStage } = input;
    let version: Version | undefined;
    if (typeof VersionId === "string") {
      version = secret.versions.get(VersionId);
      if (version && typeof VersionStage === "string" && !version.stages.has(VersionStage)) {
        throw new AwsJsonError(
          "InvalidRequestException",
          "The VersionId and VersionStage do not refer to the same version.",
        );
      }
    } else {
      const stage = typeof VersionStage === "string" ? VersionStage : CURRENT;
      version = [...secret.versions.values()].find((v) => v.stages.has(stage));
    }
    if (!version) {
      throw new AwsJsonError(
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for ${typeof VersionId === "string" ? `VersionId: ${VersionId}` : `staging label: ${typeof VersionStage === "string" ? VersionStage : CURRENT}`}`,
      );
    }
    secret.lastAccessed = new Date();
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epoch(version.created),
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
    };
  }

  PutSecretValue(input: Input): Input {
    const secret = this.find(input.SecretId);
    const value = SecretsStore.value(input);
    if (value.secretString === undefined && value.secretBinary === undefined) {
      throw new AwsJsonError(
        "InvalidParameterException",
        "You must provide either SecretString or SecretBinary.",
      );
    }
    const id = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
    const stages = Array.isArray(input.VersionStages) ? (input.VersionStages as string[]) : [CURRENT];
    const existing = secret.versions.get(id);
    if (existing) {
      // AWS: the same token with the same value is an idempotent retry; with another value it is refused.
      if (existing.secretString !== value.secretString || existing.secretBinary !== value.secretBinary) {
        throw new AwsJsonError(
          "ResourceExistsException",
          "A version with this ClientRequestToken already exists with a different value; you can't modify a secret version.",
        );
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: [...existing.stages] };
    }
    const version: Version = { id, ...value, created: new Date(), stages: new Set() };
    secret.versions.set(id, version);
    for (const stage of stages) this.attachStage(secret, stage, version);
    secret.lastChanged = new Date();
    this.prune(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: [...version.stages] };
  }

  UpdateSecretVersionStage(input: Input): Input {
    const secret = this.find(input.SecretId);
    const { VersionStage, MoveToVersionId, RemoveFromVersionId } = input;
    if (typeof VersionStage !== "string")
      throw new AwsJsonError("InvalidParameterException", "You must provide a VersionStage.");
    const holder = [...secret.versions.values()].find((v) => v.stages.has(VersionStage));
    if (typeof RemoveFromVersionId === "string" && holder?.id !== RemoveFromVersionId) {
      throw new AwsJsonError(
        "InvalidParameterException",
        `The parameter RemoveFromVersionId doesn't match the current version of the staging label ${VersionStage}.`,
      );
    }
    if (typeof MoveToVersionId === "string") {
      const target = secret.versions.get(MoveToVersionId);
      if (!target)
        throw new AwsJsonError(
          "ResourceNotFoundException",
          `Secrets Manager can't find the specified secret version: ${MoveToVersionId}`,
        );
      // AWS: a label already attached elsewhere may only be moved when RemoveFromVersionId names its holder.
      if (holder && holder !== target && RemoveFromVersionId === undefined) {
        throw new AwsJsonError(
          "InvalidParameterException",
          `The staging label ${VersionStage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      this.attachStage(secret, VersionStage, target);
    } else {
      if (VersionStage === CURRENT) {
        throw new AwsJsonError(
          "InvalidParameterException",
          "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
        );
      }
      if (typeof RemoveFromVersionId !== "string") {
        throw new AwsJsonError(
          "InvalidParameterException",
          "You must provide MoveToVersionId or RemoveFromVersionId.",
        );
      }
      holder?.stages.delete(VersionStage);
    }
    secret.lastChanged = new Date();
    this.prune(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  DescribeSecret(input: Input): Input {
    const secret = this.find(input.SecretId, true);
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: epoch(secret.created),
      LastChangedDate: epoch(secret.lastChanged),
      Tags: secret.tags,
      VersionIdsToStages: Object.fromEntries([...secret.versions.values()].map((v) => [v.id, [...v.stages]])),
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      ...(secret.lastAccessed ? { LastAccessedDate: epoch(secret.lastAccessed) } : {}),
      ...(secret.deletedDate ? { DeletedDate: epoch(secret.deletedDate) } : {}),
    };
  }

  ListSecrets(): Input {
    return {
      SecretList: [...this.secrets.values()]
        .filter((s) => !s.deletedDate)
        .map((s) => ({
          ARN: s.arn,
          Name: s.name,
          CreatedDate: epoch(s.created),
          LastChangedDate: epoch(s.lastChanged),
          Tags: s.tags,
        })),
    };
  }

  ListSecretVersionIds(input: Input): Input {
    const secret = this.find(input.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: [...secret.versions.values()].map((v) => ({
        VersionId: v.id,
        VersionStages: [...v.stages],
        CreatedDate: epoch(v.created),
      })),
    };
  }

  DeleteSecret(input: Input): Input {
    const secret = this.find(input.SecretId);
    const deletionDate = new Date();
    if (input.ForceDeleteWithoutRecovery === true) this.secrets.delete(secret.name);
    else secret.deletedDate = deletionDate;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epoch(deletionDate) };
  }

  /** Dispatches one operation by name; unknown names answer like AWS does for an unknown target. */
  dispatch(operation: string, input: Input): Input {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    switch (operation) {
      case "CreateSecret":
        return this.CreateSecret(input);
      case "GetSecretValue":
        return this.GetSecretValue(input);
      case "PutSecretValue":
        return this.PutSecretValue(input);
      case "UpdateSecretVersionStage":
        return this.UpdateSecretVersionStage(input);
      case "DescribeSecret":
        return this.DescribeSecret(input);
      case "ListSecrets":
        return this.ListSecrets();
      case "ListSecretVersionIds":
        return this.ListSecretVersionIds(input);
      case "DeleteSecret":
        return this.DeleteSecret(input);
      default:
        throw new AwsJsonError(
          "UnknownOperationException",
          `Operation ${operation} is not supported by the local emulator.`,
        );
    }
  }
}

/** A running Secrets Manager emulator. Point the SDK at `url` (`endpoint` or `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
export interface SecretsManagerEmulator extends RunningServer {
  readonly store: SecretsStore;
}

/** Operations that change the store (and so rewrite the state file). */
const WRITES = new Set(["CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "DeleteSecret"]);

/**
 * Starts the emulator on loopback; `port: 0` picks a free port. With `file`, the secrets are loaded from it at
 * start and the file is rewritten (atomically, owner-only) after every change, so they survive a restart or a crash.
 */
export async function startSecretsManager(
  options: { port?: number; region?: string; file?: string } = {},
): Promise<SecretsManagerEmulator> {
  const store = new SecretsStore(options.region);
  const { file } = options;
  if (file && existsSync(file))
    for (const [name, secret] of deserialize(readFileSync(file)) as [string, Secret][])
      store.secrets.set(name, secret);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
    const target = req.headers["x-amz-target"];
    const operation =
      typeof target === "string" && target.startsWith("secretsmanager.") ? target.slice(15) : undefined;
    try {
      if (req.method !== "POST" || !operation) {
        throw new AwsJsonError(
          "UnknownOperationException",
          "Expected a POST with X-Amz-Target: secretsmanager.<Operation>.",
        );
      }
      const text = (await readBody(req)).toString("utf8");
      let input: Input;
      try {
        input = text.length ? (JSON.parse(text) as Input) : {};
      } catch {
        throw new AwsJsonError("SerializationException", "Malformed JSON request body.");
      }
      const out = store.dispatch(operation, input);
      if (file && WRITES.has(operation)) atomicWrite(file, serialize([...store.secrets]));
      sendJson(res, 200, out, headers);
    } catch (error) {
      if (error instanceof AwsJsonError) {
        sendJson(
          res,
          400,
          { __type: error.type, message: error.message },
          { ...headers, "x-amzn-errortype": error.type },
        );
      } else throw error;
    }
  };
  const running = await listen(handle, options.port ?? 0);
  return { url: running.url, port: running.port, close: running.close, store };
}

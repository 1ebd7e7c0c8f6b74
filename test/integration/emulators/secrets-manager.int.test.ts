import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SecretsManagerEmulator,
  startSecretsManager,
} from "../../../infra/local/secrets-manager/server.js";

let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let n = 0;
const name = () => `zoho/connection-${++n}`;

beforeAll(async () => {
  emulator = await startSecretsManager();
  sm = new SecretsManagerClient({ endpoint: emulator.url, region: "us-east-1" });
});
afterAll(async () => {
  sm.destroy();
  await emulator.close();
});

describe("Secrets Manager emulator through @aws-sdk/client-secrets-manager", () => {
  it("creates a secret and reads it back as AWSCURRENT with an ARN", async () => {
    const created = await sm.send(
      new CreateSecretCommand({ Name: name(), SecretString: '{"a":1}', Description: "test" }),
    );

    const value = await sm.send(new GetSecretValueCommand({ SecretId: created.Name }));

    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:zoho\/connection-\d+-[0-9a-f]{6}$/,
    );
    expect(value.SecretString).toBe('{"a":1}');
    expect(value.VersionStages).toEqual(["AWSCURRENT"]);
    expect(value.VersionId).toBe(created.VersionId);
    expect(value.CreatedDate).toBeInstanceOf(Date);
  });

  it("finds a secret by ARN as well as by name", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "x" }));

    const value = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));

    expect(value.Name).toBe(created.Name);
  });

  it("refuses a second secret with the same name (ResourceExistsException)", async () => {
    const secretName = name();
    await sm.send(new CreateSecretCommand({ Name: secretName, SecretString: "x" }));

    await expect(
      sm.send(new CreateSecretCommand({ Name: secretName, SecretString: "y" })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it("answers ResourceNotFoundException for an unknown secret and an unknown stage", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "x" }));

    await expect(sm.send(new GetSecretValueCommand({ SecretId: "nope" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: created.Name, VersionStage: "AWSPENDING" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));

    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.Name, SecretString: "v2" }));
    const current = await sm.send(new GetSecretValueCommand({ SecretId: created.Name }));
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: created.Name, VersionStage: "AWSPREVIOUS" }),
    );
    const byId = await sm.send(
      new GetSecretValueCommand({ SecretId: created.Name, VersionId: created.VersionId }),
    );

    expect(put.VersionStages).toEqual(["AWSCURRENT"]);
    expect(current.SecretString).toBe("v2");
    expect(previous.SecretString).toBe("v1");
    expect(byId.VersionStages).toEqual(["AWSPREVIOUS"]);
  });

  it("treats a repeated ClientRequestToken with the same value as an idempotent retry", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));
    const token = "11111111-2222-4333-8444-555555555555";

    const first = await sm.send(
      new PutSecretValueCommand({ SecretId: created.Name, SecretString: "v2", ClientRequestToken: token }),
    );
    const retry = await sm.send(
      new PutSecretValueCommand({ SecretId: created.Name, SecretString: "v2", ClientRequestToken: token }),
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.Name }));

    expect(retry.VersionId).toBe(first.VersionId);
    expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(2);
  });

  it("refuses a repeated ClientRequestToken with a different value", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));
    const token = "21111111-2222-4333-8444-555555555555";
    await sm.send(
      new PutSecretValueCommand({ SecretId: created.Name, SecretString: "v2", ClientRequestToken: token }),
    );

    await expect(
      sm.send(
        new PutSecretValueCommand({
          SecretId: created.Name,
          SecretString: "other",
          ClientRequestToken: token,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it("stores a version under a custom stage without touching AWSCURRENT", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));

    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: created.Name,
        SecretString: "v2",
        VersionStages: ["AWSPENDING"],
      }),
    );
    const current = await sm.send(new GetSecretValueCommand({ SecretId: created.Name }));
    const staged = await sm.send(
      new GetSecretValueCommand({ SecretId: created.Name, VersionStage: "AWSPENDING" }),
    );

    expect(current.SecretString).toBe("v1");
    expect(staged.VersionId).toBe(pending.VersionId);
  });

  it("UpdateSecretVersionStage promotes a version when RemoveFromVersionId names the current holder", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: created.Name,
        SecretString: "v2",
        VersionStages: ["AWSPENDING"],
      }),
    );

    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: created.Name,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: pending.VersionId,
        RemoveFromVersionId: created.VersionId,
      }),
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.Name }));

    expect(described.VersionIdsToStages?.[pending.VersionId as string]).toEqual(
      expect.arrayContaining(["AWSCURRENT", "AWSPENDING"]),
    );
    expect(described.VersionIdsToStages?.[created.VersionId as string]).toEqual(["AWSPREVIOUS"]);
  });

  it("UpdateSecretVersionStage refuses to move an attached label without RemoveFromVersionId, or with the wrong one", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: created.Name,
        SecretString: "v2",
        VersionStages: ["AWSPENDING"],
      }),
    );

    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: created.Name,
          VersionStage: "AWSCURRENT",
          MoveToVersionId: pending.VersionId,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: created.Name,
          VersionStage: "AWSCURRENT",
          MoveToVersionId: pending.VersionId,
          RemoveFromVersionId: pending.VersionId,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("UpdateSecretVersionStage never removes AWSCURRENT outright, but removes other labels", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "v1" }));
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: created.Name,
        SecretString: "v2",
        VersionStages: ["AWSPENDING"],
      }),
    );

    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: created.Name,
          VersionStage: "AWSCURRENT",
          RemoveFromVersionId: created.VersionId,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: created.Name,
        VersionStage: "AWSPENDING",
        RemoveFromVersionId: pending.VersionId,
      }),
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.Name }));

    expect(described.VersionIdsToStages?.[pending.VersionId as string]).toEqual([]);
  });

  it("lists secrets and refuses reads of a secret marked for deletion", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: name(), SecretString: "x" }));

    await sm.send(new DeleteSecretCommand({ SecretId: created.Name }));
    const listed = await sm.send(new ListSecretsCommand({}));

    await expect(sm.send(new GetSecretValueCommand({ SecretId: created.Name }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    expect(listed.SecretList?.some((s) => s.Name === created.Name)).toBe(false);
  });

  it("answers an unknown operation with an AWS-shaped 400 error", async () => {
    const res = await fetch(emulator.url, {
      method: "POST",
      headers: {
        "x-amz-target": "secretsmanager.RotateSecret",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: "UnknownOperationException", message: expect.any(String) });
  });
});

import { describe, expect, it } from "vitest";
import {
  connectionNameOfSecret,
  connectionSecretName,
  modelKeySecretName,
  parseConnection,
  webhookSecretName,
} from "../../../../shared/domain/zoho-connection.js";
import { ConfigError } from "../../../../shared/errors.js";

const valid = {
  schemaVersion: 1,
  name: "default",
  dc: "eu",
  accountsServer: "https://accounts.zoho.eu",
  apiDomain: "https://www.zohoapis.eu",
  desk: null,
  clientId: "1000.ABC",
  clientSecret: "super-secret-value",
  refreshToken: "1000.refresh.value",
  scopes: ["ZohoCRM.modules.ALL"],
  accessToken: null,
  accessTokenExpiresAt: null,
  status: "active",
  brokenReason: null,
  refreshLog: [],
  throttledUntil: null,
  updatedAt: "2026-11-25T10:00:00.000Z",
};

describe("connection secret", () => {
  it("parses a well-formed secret", () => {
    expect(parseConnection(JSON.stringify(valid), "s").dc).toBe("eu");
  });

  it("names every bad field and never echoes a value", () => {
    const bad = { ...valid, clientSecret: "", dc: "mars", refreshToken: undefined };

    const error = (() => {
      try {
        parseConnection(JSON.stringify(bad), "zoho-gpt-mediator/dev/zoho/default");
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe(
      'Zoho connection secret "zoho-gpt-mediator/dev/zoho/default" is malformed: invalid or missing field(s) "dc", "clientSecret", "refreshToken"',
    );
    expect(error?.message).not.toContain("mars");
  });

  it("says a non-JSON secret (what CDK creates before auth runs) needs the auth command", () => {
    expect(() => parseConnection("x8#Kq2!random", "s")).toThrow(/run the auth command/);
  });
});

describe("secret names", () => {
  it("one convention per secret, under the stage", () => {
    expect(connectionSecretName("prod", "emea")).toBe("zoho-gpt-mediator/prod/zoho/emea");
    expect(webhookSecretName("prod")).toBe("zoho-gpt-mediator/prod/webhooks");
    expect(modelKeySecretName("prod")).toBe("zoho-gpt-mediator/prod/openai");
  });

  it("reads the connection back from its secret's name, also from a name given by hand", () => {
    expect(connectionNameOfSecret(connectionSecretName("dev", "default"))).toBe("default");
    expect(connectionNameOfSecret(connectionSecretName("prod", "emea-2"))).toBe("emea-2");
    expect(connectionNameOfSecret("acme/zoho-eu")).toBe("zoho-eu");
    expect(connectionNameOfSecret("standalone")).toBe("standalone");
  });
});

import { describe, expect, it } from "vitest";
import {
  connectionNameOfSecret,
  connectionSecretName,
  modelKeySecretName,
  parseConnection,
  serializeConnection,
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

  it("parses a secret written before Creator and Books (no creator, no books keys), and one with both", () => {
    const old = parseConnection(JSON.stringify(valid), "s");
    const both = parseConnection(
      JSON.stringify({
        ...valid,
        creator: { owner: "acme", environment: "stage" },
        books: { organizationId: "8754310000010306009" },
      }),
      "s",
    );
    const nulls = parseConnection(
      JSON.stringify({ ...valid, creator: { owner: "acme", environment: null }, books: null }),
      "s",
    );

    expect(old.creator).toBeUndefined();
    expect(old.books).toBeUndefined();
    expect(both.creator).toEqual({ owner: "acme", environment: "stage" });
    expect(both.books).toEqual({ organizationId: "8754310000010306009" });
    expect(nulls.books).toBeNull();
    expect(nulls.creator?.environment).toBeNull();
    expect(JSON.parse(serializeConnection(both)).books).toEqual({ organizationId: "8754310000010306009" });
  });

  it("refuses a Books organization id that is not digits and a Creator environment Creator does not have", () => {
    const bad = {
      ...valid,
      creator: { owner: "acme", environment: "production" },
      books: { organizationId: "org-1" },
    };

    expect(() => parseConnection(JSON.stringify(bad), "s")).toThrow(
      /invalid or missing field\(s\) "creator.environment", "books.organizationId"/,
    );
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

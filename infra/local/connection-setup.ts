/**
 * The local stack's secrets, as a deployment has them: the webhook secret (as the stack's WebhookEndpoint generates
 * it) and the Zoho connection (set up by the real `auth` use case against the sandbox or a real org). A restart
 * keeps both: Zoho is configured with the webhook token, and a grant code works once.
 */
import { randomBytes } from "node:crypto";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { parseConnection, serializeConnection } from "../../shared/domain/zoho-connection.js";
import { dcHosts } from "../../shared/domain/zoho-dc.js";
import { ConfigError } from "../../shared/errors.js";
import { parseWebhookSecrets } from "../../shared/ingest/webhook-auth.js";
import { registerSecret } from "../../shared/observability/redact.js";
import type { LocalEnv } from "./local-env.js";
import type { LocalZohoConnection } from "./zoho-connection.js";
import type { ZohoSandbox } from "./zoho-sandbox/server.js";

/** The sandbox's Desk webhook source id the local connection registers. */
const LOCAL_DESK_SOURCE_ID = "5d3c8a3e-6b1f-4c9a-9d8e-mediator0001";

const existing = (connection: LocalZohoConnection, name: string) =>
  connection.store.get(name, { fresh: true }).catch((error: unknown) => {
    if (error instanceof ConfigError) return undefined;
    throw error;
  });

/** The webhook secret (created, or kept from the last run); returns the token Zoho sends. */
export async function ensureWebhookSecret(
  connection: LocalZohoConnection,
  secretName: string,
  wantedToken: string | undefined,
): Promise<string> {
  const saved = await existing(connection, secretName);
  let token: string;
  if (saved) {
    const secrets = parseWebhookSecrets(saved.value, secretName);
    token = wantedToken ?? secrets.token;
    if (token !== secrets.token)
      await connection.store.put(secretName, JSON.stringify({ ...JSON.parse(saved.value), token }));
  } else {
    token = wantedToken ?? randomBytes(24).toString("hex");
    await connection.sm.send(
      new CreateSecretCommand({
        Name: secretName,
        SecretString: JSON.stringify({ token, previousToken: null, hmacKeys: [], notificationTokens: [] }),
      }),
    );
  }
  registerSecret(token);
  return token;
}

/**
 * The Zoho connection: the real auth use case against the sandbox or a real org; or, given only a refresh token, a
 * connection whose first use refreshes. A restart reuses the stored connection (a grant code works once), unless
 * the sandbox org it belongs to was not restored with it.
 */
export async function ensureZohoConnection(
  env: LocalEnv,
  connection: LocalZohoConnection,
  options: { name: string; sandbox?: ZohoSandbox; sandboxRestored: boolean },
): Promise<void> {
  const { sandbox } = options;
  const saved = await existing(connection, connection.secretName);
  if (saved && (!sandbox || options.sandboxRestored)) {
    // Kept from the last run; the sandbox may listen on another port now (tests pick free ports).
    if (sandbox) {
      const stored = parseConnection(saved.value, connection.secretName);
      const demo = sandbox.demo();
      const moved = {
        ...stored,
        accountsServer: demo.accountsUrl,
        apiDomain: demo.apiDomain,
        desk: stored.desk ? { ...stored.desk, base: demo.deskUrl } : null,
        // A connection saved before Books was served gets the org's Books organization.
        books: stored.books ?? { organizationId: demo.booksOrgId },
        creator: stored.creator ?? { owner: demo.creatorOwner },
      };
      if (JSON.stringify(moved) !== JSON.stringify(stored))
        await connection.store.put(connection.secretName, serializeConnection(moved));
    }
  } else if (sandbox) {
    // The sandbox org's Creator account and Books organization too: one connection carries every product.
    const demo = sandbox.demo();
    await connection.connect({
      deskSourceId: LOCAL_DESK_SOURCE_ID,
      creatorOwner: demo.creatorOwner,
      booksOrganizationId: demo.booksOrgId,
    });
  } else if (env.ZOHO_GRANT_CODE) {
    await connection.connect({
      clientId: env.ZOHO_CLIENT_ID as string,
      clientSecret: env.ZOHO_CLIENT_SECRET as string,
      code: env.ZOHO_GRANT_CODE,
      dc: env.ZOHO_DC,
      ...(env.ZOHO_ACCOUNTS_URL ? { accountsServer: env.ZOHO_ACCOUNTS_URL } : {}),
      ...(env.ZOHO_DESK_URL ? { deskBase: env.ZOHO_DESK_URL } : {}),
      ...(env.ZOHO_DESK_ORG_ID ? { deskOrgId: env.ZOHO_DESK_ORG_ID } : { deskOrgId: undefined as never }),
    });
  } else {
    const hosts = dcHosts(env.ZOHO_DC);
    await connection.store.upsert(
      connection.secretName,
      serializeConnection({
        schemaVersion: 1,
        name: options.name,
        dc: env.ZOHO_DC,
        accountsServer: env.ZOHO_ACCOUNTS_URL ?? hosts.accountsServer,
        apiDomain: env.ZOHO_API_DOMAIN ?? hosts.apiDomain,
        desk: env.ZOHO_DESK_ORG_ID
          ? { base: env.ZOHO_DESK_URL ?? hosts.deskBase, orgId: env.ZOHO_DESK_ORG_ID, sourceId: null }
          : null,
        clientId: env.ZOHO_CLIENT_ID as string,
        clientSecret: env.ZOHO_CLIENT_SECRET as string,
        refreshToken: env.ZOHO_REFRESH_TOKEN as string,
        scopes: [],
        accessToken: null,
        accessTokenExpiresAt: null,
        status: "active",
        brokenReason: null,
        refreshLog: [],
        throttledUntil: null,
        updatedAt: new Date().toISOString(),
      }),
    );
  }
}

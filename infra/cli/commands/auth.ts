/**
 * `zoho-gpt-mediator auth`: stores a Zoho connection in the target's Secrets Manager, from a self-client grant code
 * or a refresh token, after one cheap CRM call (and the Desk org) proves it works. Secrets are read from the
 * environment (ZOHO_CLIENT_SECRET, ZOHO_GRANT_CODE, ZOHO_REFRESH_TOKEN) so they stay out of shell history; the flags
 * are for scripted use against the local sandbox.
 */
import { SecretsManagerStore } from "../../../shared/adapters/secrets/secrets-manager-store.js";
import { ZohoOAuthClient } from "../../../shared/adapters/zoho/oauth-client.js";
import { ZohoTokenCheckHttp } from "../../../shared/adapters/zoho/token-check.js";
import { ZOHO_DCS, type ZohoDc } from "../../../shared/domain/zoho-dc.js";
import { isAppError } from "../../../shared/errors.js";
import { redactString } from "../../../shared/observability/redact.js";
import { systemClock } from "../../../shared/ports/clock.js";
import { makeConnectZoho } from "../../../shared/use-cases/connect-zoho.js";
import { endpointsOf, targetOf, withTargetOptions } from "../command-kit.js";
import { secretsClient } from "../connection.js";
import { action, EXIT, type RegisterCommand, UsageError } from "../program.js";

interface AuthOptions {
  stage?: string;
  region?: string;
  verbose?: boolean;
  connection: string;
  secretName?: string;
  secretsEndpoint?: string;
  clientId?: string;
  clientSecret?: string;
  code?: string;
  refreshToken?: string;
  dc?: string;
  location?: string;
  accountsServer?: string;
  deskUrl?: string;
  deskOrgId?: string;
  deskSourceId?: string;
  creatorOwner?: string;
  creatorEnvironment?: string;
  booksOrgId?: string;
}

export const authCommand: RegisterCommand = (program, ctx) => {
  const command = withTargetOptions(
    program
      .command("auth")
      .description(
        "store a Zoho connection in Secrets Manager from a self-client grant code or a refresh token: checks the token with one cheap CRM call (and the Desk org), stores the connection, marks it active",
      ),
  )
    .option("--connection <name>", "connection name", "default")
    .option(
      "--secret-name <name>",
      "connection secret (default: zoho-gpt-mediator/<stage>/zoho/<connection>)",
    )
    .option("--secrets-endpoint <url>", "Secrets Manager endpoint (default: the target's)")
    .option("--client-id <id>", "Zoho API console client id (or ZOHO_CLIENT_ID)")
    .option("--client-secret <secret>", "client secret (prefer ZOHO_CLIENT_SECRET)")
    .option("--code <code>", "self-client grant code, valid about 2 minutes (or ZOHO_GRANT_CODE)")
    .option(
      "--refresh-token <token>",
      "instead of --code: an existing refresh token, refreshed once to validate it (prefer ZOHO_REFRESH_TOKEN)",
    )
    .option("--dc <dc>", `data centre: ${ZOHO_DCS.join("|")}`)
    .option("--location <value>", 'Zoho\'s redirect "location" or "accounts-server" value (picks the DC)')
    .option("--accounts-server <url>", "override the accounts server (local sandbox, tests)")
    .option("--desk-url <url>", "Desk API base, when the connection is used for Desk")
    .option("--desk-org-id <id>", "Desk orgId (enables and verifies Desk)")
    .option(
      "--desk-source-id <uuid>",
      "the Desk webhook's ignoreSourceId, sent on the mediator's Desk writes",
    )
    .option("--creator-owner <name>", "Creator account owner whose apps the use cases name (enables Creator)")
    .option("--creator-environment <env>", "Creator environment: development|stage (default: production)")
    .option("--books-org-id <id>", "Books organization_id (enables and verifies Books)");
  command.action(
    action(ctx, async () => {
      const o = command.opts<AuthOptions>();
      const { env, io } = ctx;
      const clientId = o.clientId ?? env.ZOHO_CLIENT_ID;
      const clientSecret = o.clientSecret ?? env.ZOHO_CLIENT_SECRET;
      // A flag wins over the environment; of the two credentials, a flag given explicitly decides which path runs.
      const refreshToken = o.refreshToken ?? (o.code ? undefined : env.ZOHO_REFRESH_TOKEN);
      const code = refreshToken ? o.code : (o.code ?? env.ZOHO_GRANT_CODE);
      if (code && refreshToken) throw new UsageError("auth: give --code or --refresh-token, not both");
      const missing = [
        !clientId && "--client-id",
        !clientSecret && "ZOHO_CLIENT_SECRET",
        !code && !refreshToken && "--code (or --refresh-token)",
      ].filter(Boolean);
      if (missing.length) throw new UsageError(`auth: missing ${missing.join(", ")}`);
      if (o.creatorEnvironment !== undefined && !["development", "stage"].includes(o.creatorEnvironment))
        throw new UsageError(
          `auth: --creator-environment is development or stage, not "${o.creatorEnvironment}"`,
        );
      if (o.creatorOwner !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(o.creatorOwner))
        throw new UsageError("auth: --creator-owner is the account owner's name as in the app URL");
      if (o.booksOrgId !== undefined && !/^\d{1,19}$/.test(o.booksOrgId))
        throw new UsageError("auth: --books-org-id is the organization's numeric id");
      if (o.dc !== undefined && !(ZOHO_DCS as readonly string[]).includes(o.dc))
        throw new UsageError(`auth: unknown data centre "${o.dc}" (one of ${ZOHO_DCS.join(", ")})`);
      const target = targetOf(ctx, o);
      const endpoint = o.secretsEndpoint ?? endpointsOf(target, env).secrets;
      const client = secretsClient(
        { region: target.region, ...(endpoint ? { "secrets-endpoint": endpoint } : {}) },
        env,
      );
      const connect = makeConnectZoho({
        oauth: new ZohoOAuthClient(),
        secrets: new SecretsManagerStore({ client }),
        clock: systemClock,
        tokenCheck: new ZohoTokenCheckHttp(),
      });
      try {
        const summary = await connect({
          connection: o.connection,
          secretName: o.secretName ?? target.names.connectionSecret(o.connection),
          clientId: clientId as string,
          clientSecret: clientSecret as string,
          ...(refreshToken ? { refreshToken } : { code: code as string }),
          ...(o.dc ? { dc: o.dc as ZohoDc } : {}),
          ...(o.location ? { location: o.location } : {}),
          ...(o.accountsServer ? { accountsServer: o.accountsServer } : {}),
          ...(o.deskUrl ? { deskBase: o.deskUrl } : {}),
          ...(o.deskOrgId ? { deskOrgId: o.deskOrgId } : {}),
          ...(o.deskSourceId ? { deskSourceId: o.deskSourceId } : {}),
          ...(o.creatorOwner ? { creatorOwner: o.creatorOwner } : {}),
          ...(o.creatorEnvironment
            ? { creatorEnvironment: o.creatorEnvironment as "development" | "stage" }
            : {}),
          ...(o.booksOrgId ? { booksOrganizationId: o.booksOrgId } : {}),
        });
        io.out(JSON.stringify({ stored: summary }, null, 2));
        return EXIT.ok;
      } catch (error) {
        const message = isAppError(error) ? error.message : `unexpected error: ${(error as Error).message}`;
        io.err(`auth failed: ${redactString(message)}`);
        return EXIT.failure;
      } finally {
        client.destroy();
      }
    }),
  );
};

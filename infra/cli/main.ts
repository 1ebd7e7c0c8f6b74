/**
 * The operator CLI (`npx zoho-gpt-mediator <command>`). Commands:
 *
 *   auth   exchange a Zoho self-client grant code and store the connection in Secrets Manager
 *
 * Secrets are read from the environment (ZOHO_CLIENT_SECRET, ZOHO_GRANT_CODE) so they stay out of shell history;
 * flags are accepted for scripted use against the local sandbox.
 */
import { parseArgs } from "node:util";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { ZohoOAuthClient } from "../../shared/adapters/zoho/oauth-client.js";
import { ZOHO_DCS, type ZohoDc } from "../../shared/config/zoho-dc.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { systemClock } from "../../shared/ports/clock.js";
import { makeConnectZoho } from "../../shared/use-cases/connect-zoho.js";
import { REPLAY_USAGE, replayCommand } from "./replay.js";

const USAGE = `usage: zoho-gpt-mediator auth [options]
       zoho-gpt-mediator send lead|ticket [--sandbox URL]
       zoho-gpt-mediator replay [--stage NAME] [--limit N] [--sqs-endpoint URL]

send: fires a sample trigger at a running local stack (npm start) the way Zoho would: a sales rep creates a lead
(the sandbox's workflow rule calls the mediator), or a customer emails support (the Desk webhook calls it).
  --sandbox URL            the Zoho sandbox (default: http://127.0.0.1:4010)

auth:

  --connection NAME        connection name (default: default)
  --stage NAME             stage whose secret to write (default: dev)
  --secret-name NAME       secret name (default: zoho-gpt-mediator/<stage>/zoho/<connection>)
  --client-id ID           Zoho API console client id (or ZOHO_CLIENT_ID)
  --client-secret SECRET   client secret (prefer ZOHO_CLIENT_SECRET)
  --code CODE              self-client grant code, valid about 2 minutes (or ZOHO_GRANT_CODE)
  --dc us|eu|in|au|jp|cn|ca|sa|uk   data centre
  --location VALUE         Zoho's redirect "location" or "accounts-server" value (picks the DC)
  --accounts-server URL    override the accounts server (local sandbox, tests)
  --desk-url URL           Desk API base, when the connection is used for Desk
  --desk-org-id ID         Desk orgId (enables and verifies Desk)
  --desk-source-id UUID    the Desk webhook's ignoreSourceId, sent on the mediator's Desk writes
  --region REGION          AWS region (default: AWS_REGION or us-east-1)
  --secrets-endpoint URL   Secrets Manager endpoint (local emulator)

${REPLAY_USAGE}`;

const SAMPLE_LEADS = [
  {
    First_Name: "Ingrid",
    Last_Name: "Solberg",
    Company: "Nordlys Freight AS",
    Designation: "Head of Logistics",
    Email: "ingrid.solberg@nordlys-freight.example",
    Lead_Source: "Web Download",
    No_of_Employees: 640,
    Description:
      "Downloaded the routing whitepaper and asked for pricing for 80 dispatchers. They want a decision before the Q1 budget freeze and need an EU data centre.",
  },
  {
    First_Name: "Tomás",
    Last_Name: "Herrera",
    Company: "Andina Retail Group",
    Designation: "CIO",
    Email: "tomas.herrera@andina-retail.example",
    Lead_Source: "Trade Show",
    No_of_Employees: 2300,
    Description:
      "Met at the retail expo. Evaluating three vendors for store replenishment; asked for a security questionnaire and references in Latin America.",
  },
];
const SAMPLE_TICKETS = [
  {
    subject: "Charged twice this month",
    description:
      "Hi, my card was charged twice for invoice INV-30412 (two charges of $189.00 on the 2nd). Please refund the duplicate. I'm quite annoyed, this happened before.",
    email: "lena.kraus@customer.example",
    first_name: "Lena",
    last_name: "Kraus",
  },
  {
    subject: "Scanner app crashes on Android 14",
    description:
      "Since the last update the mobile scanner crashes as soon as I open it on a Pixel 8 (Android 14). Our warehouse team cannot receive goods. Please help urgently.",
    email: "omar.said@customer.example",
    first_name: "Omar",
    last_name: "Said",
  },
];

async function send(rest: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { sandbox: { type: "string", default: "http://127.0.0.1:4010" } },
    allowPositionals: true,
    strict: true,
  });
  const what = positionals[0];
  const base = values.sandbox ?? "http://127.0.0.1:4010";
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)] as T;
  let res: Response;
  if (what === "lead")
    res = await fetch(`${base}/_sandbox/crm/Leads`, {
      method: "POST",
      body: JSON.stringify(pick(SAMPLE_LEADS)),
    });
  else if (what === "ticket")
    res = await fetch(`${base}/_sandbox/desk/tickets`, {
      method: "POST",
      body: JSON.stringify(pick(SAMPLE_TICKETS)),
    });
  else {
    out(USAGE);
    return 2;
  }
  const body = (await res.json()) as { data?: { details?: { id?: string } }[]; id?: string };
  const id = body.data?.[0]?.details?.id ?? body.id;
  out(
    res.ok
      ? `sent: ${what} ${id} created in the Zoho sandbox; watch the npm start terminal`
      : `send failed: sandbox answered ${res.status}`,
  );
  return res.ok ? 0 : 1;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "send") {
    try {
      return await send(rest, out);
    } catch (error) {
      out(`send failed: ${(error as Error).message} (is npm start running?)`);
      return 1;
    }
  }
  if (command === "replay") return replayCommand(rest, env, out);
  if (command !== "auth") {
    out(USAGE);
    return command === undefined || command === "--help" ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      connection: { type: "string", default: "default" },
      stage: { type: "string", default: "dev" },
      "secret-name": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      code: { type: "string" },
      dc: { type: "string" },
      location: { type: "string" },
      "accounts-server": { type: "string" },
      "desk-url": { type: "string" },
      "desk-org-id": { type: "string" },
      "desk-source-id": { type: "string" },
      region: { type: "string" },
      "secrets-endpoint": { type: "string" },
    },
    strict: true,
  });
  const clientId = values["client-id"] ?? env.ZOHO_CLIENT_ID;
  const clientSecret = values["client-secret"] ?? env.ZOHO_CLIENT_SECRET;
  const code = values.code ?? env.ZOHO_GRANT_CODE;
  const missing = [
    !clientId && "--client-id",
    !clientSecret && "ZOHO_CLIENT_SECRET",
    !code && "--code",
  ].filter(Boolean);
  if (missing.length) {
    out(`auth: missing ${missing.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  if (values.dc !== undefined && !(ZOHO_DCS as readonly string[]).includes(values.dc)) {
    out(`auth: unknown data centre "${values.dc}" (one of ${ZOHO_DCS.join(", ")})`);
    return 2;
  }
  const connection = values.connection ?? "default";
  const endpoint = values["secrets-endpoint"];
  // The local emulator does not check signatures; without configured credentials, sign with dummy ones.
  const hasCredentials = Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );
  const client = new SecretsManagerClient({
    region: values.region ?? env.AWS_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && !hasCredentials
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
  const connect = makeConnectZoho({
    oauth: new ZohoOAuthClient(),
    secrets: new SecretsManagerStore({ client }),
    clock: systemClock,
  });
  try {
    const summary = await connect({
      connection,
      secretName: values["secret-name"] ?? connectionSecretName(values.stage ?? "dev", connection),
      clientId: clientId as string,
      clientSecret: clientSecret as string,
      code: code as string,
      ...(values.dc ? { dc: values.dc as ZohoDc } : {}),
      ...(values.location ? { location: values.location } : {}),
      ...(values["accounts-server"] ? { accountsServer: values["accounts-server"] } : {}),
      ...(values["desk-url"] ? { deskBase: values["desk-url"] } : {}),
      ...(values["desk-org-id"] ? { deskOrgId: values["desk-org-id"] } : {}),
      ...(values["desk-source-id"] ? { deskSourceId: values["desk-source-id"] } : {}),
    });
    out(JSON.stringify({ stored: summary }, null, 2));
    return 0;
  } catch (error) {
    const message = isAppError(error) ? error.message : `unexpected error: ${(error as Error).message}`;
    out(`auth failed: ${redactString(message)}`);
    return 1;
  } finally {
    client.destroy();
  }
}

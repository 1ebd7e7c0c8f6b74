/**
 * The operator CLI (`npx zoho-gpt-mediator <command>`). Commands:
 *
 *   auth            store a Zoho connection in Secrets Manager, from a self-client grant code or a refresh token
 *   doctor          check a connection end to end and print the exact fix for each problem
 *   fields create   create the CRM custom fields a use case's mapping lacks
 *   send            fire a sample trigger at a running local stack
 *   keys            agents' API keys (create, list, revoke, calls); proposals: approve or reject agents' proposed writes
 *
 * Secrets are read from the environment (ZOHO_CLIENT_SECRET, ZOHO_GRANT_CODE, ZOHO_REFRESH_TOKEN) so they stay out
 * of shell history; flags are accepted for scripted use against the local sandbox.
 */
import { parseArgs } from "node:util";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { ZohoOAuthClient } from "../../shared/adapters/zoho/oauth-client.js";
import { ZohoTokenCheckHttp } from "../../shared/adapters/zoho/token-check.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import { ZOHO_DCS, type ZohoDc } from "../../shared/domain/zoho-dc.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { systemClock } from "../../shared/ports/clock.js";
import { makeConnectZoho } from "../../shared/use-cases/connect-zoho.js";
import { type CliDeps, secretsClient } from "./connection.js";
import { doctorCommand } from "./doctor.js";
import { fieldsCommand } from "./fields.js";
import { KEYS_USAGE, keysCommand } from "./keys.js";
import { PROPOSALS_USAGE, proposalsCommand } from "./proposals.js";
import { REPLAY_USAGE, replayCommand } from "./replay.js";
import { isFlowSampleKind, sendFlowSample } from "./samples/index.js";

export type { CliDeps } from "./connection.js";

const USAGE = `usage: zoho-gpt-mediator auth [options] (--code CODE | --refresh-token TOKEN)
       zoho-gpt-mediator doctor [options]
       zoho-gpt-mediator fields create <use-case> [options]
       zoho-gpt-mediator send lead|ticket|email|transcript|document [--sandbox URL]
       zoho-gpt-mediator replay [--stage NAME] [--limit N] [--sqs-endpoint URL]
       zoho-gpt-mediator keys create|list|revoke|calls [options]
       zoho-gpt-mediator proposals list|approve|reject [options]

Every command that reads or writes a stage's secrets takes:
  --stage NAME             stage (default: ${DEFAULT_STAGE}; the same default as cdk deploy and npm start)
  --connection NAME        connection name (default: default)
  --secret-name NAME       connection secret (default: zoho-gpt-mediator/<stage>/zoho/<connection>)
  --region REGION          AWS region (default: AWS_REGION or us-east-1)
  --secrets-endpoint URL   Secrets Manager endpoint (npm start's emulator: http://127.0.0.1:4030)

auth: checks the token with one cheap CRM call (and the Desk org), stores the connection, marks it active.
  --client-id ID           Zoho API console client id (or ZOHO_CLIENT_ID)
  --client-secret SECRET   client secret (prefer ZOHO_CLIENT_SECRET)
  --code CODE              self-client grant code, valid about 2 minutes (or ZOHO_GRANT_CODE)
  --refresh-token TOKEN    instead of --code: an existing refresh token, refreshed once to validate it
                           (prefer ZOHO_REFRESH_TOKEN)
  --dc us|eu|in|au|jp|cn|ca|sa|uk   data centre
  --location VALUE         Zoho's redirect "location" or "accounts-server" value (picks the DC)
  --accounts-server URL    override the accounts server (local sandbox, tests)
  --desk-url URL           Desk API base, when the connection is used for Desk
  --desk-org-id ID         Desk orgId (enables and verifies Desk)
  --desk-source-id UUID    the Desk webhook's ignoreSourceId, sent on the mediator's Desk writes

doctor: checks the connection secret, the token (the stored one while valid: no refresh spent), the API domain,
the granted scopes, the Desk org and from address, each use case's field mapping against live metadata, the
webhook secret and the model key; prints ok / warn / FAIL with the fix. Exit 0 when nothing failed, else 1.
  --desk-from-address ADDR the configured DESK_FROM_ADDRESS (default: that environment variable)
  --notifications on|off   whether the product manages Notification API channels (default: on when
                           NOTIFICATION_EVENTS is set): on requires their scope and channel tokens in the webhook secret
  --webhook-secret-name N  (default: zoho-gpt-mediator/<stage>/webhooks)
  --model-secret-name N    (default: zoho-gpt-mediator/<stage>/openai; none with a loopback --secrets-endpoint,
                           where npm start uses its model server or OPENAI_API_KEY; "none" for a keyless server)
  --json                   the report as JSON

fields create <use-case>: creates the use case's missing CRM fields (needs ZohoCRM.settings.fields.CREATE) and
prints the Desk setup steps for missing Desk fields.
  --dry-run                print the Create Custom Field requests instead of sending them
  --json                   the results as JSON

send: fires a sample trigger at a running local stack (npm start) the way Zoho would: a sales rep creates a lead
(the sandbox's workflow rule calls the mediator), or a customer emails support (the Desk webhook calls it); email,
transcript and document post a sample to /v1/hooks/flow/<use case> as Zoho Flow or n8n would (with the token of
the local stack's workflow rule).
  --sandbox URL            the Zoho sandbox (default: http://127.0.0.1:4010)

${REPLAY_USAGE}

${KEYS_USAGE}

${PROPOSALS_USAGE}`;

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
  if (isFlowSampleKind(what)) {
    const sent = await sendFlowSample(what, base);
    out(
      sent.ok
        ? `sent: ${what} to ${sent.path} (job ${sent.jobId ?? "?"}); watch the npm start terminal`
        : `send failed: the mediator answered ${sent.status}${sent.error ? ` (${sent.error})` : ""}`,
    );
    return sent.ok ? 0 : 1;
  }
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
  deps: CliDeps = {},
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "send") {
      try {
        return await send(rest, out);
      } catch (error) {
        out(`send failed: ${(error as Error).message} (is npm start running?)`);
        return 1;
      }
    }
    if (command === "doctor") return await doctorCommand(rest, env, out, deps);
    if (command === "fields") return await fieldsCommand(rest, env, out, deps, USAGE);
    if (command === "auth") return await auth(rest, env, out);
    if (command === "replay") return await replayCommand(rest, env, out);
    if (command === "keys") return await keysCommand(rest, env, out, deps);
    if (command === "proposals") return await proposalsCommand(rest, env, out, deps);
  } catch (error) {
    // parseArgs refuses unknown flags and missing values: a usage error.
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      out(`${command}: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  out(USAGE);
  return command === undefined || command === "--help" || command === "help" ? 0 : 2;
}

async function auth(rest: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      connection: { type: "string", default: "default" },
      stage: { type: "string", default: DEFAULT_STAGE },
      "secret-name": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      code: { type: "string" },
      "refresh-token": { type: "string" },
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
  // A flag wins over the environment; of the two credentials, a flag given explicitly decides which path runs.
  const refreshToken = values["refresh-token"] ?? (values.code ? undefined : env.ZOHO_REFRESH_TOKEN);
  const code = refreshToken ? values.code : (values.code ?? env.ZOHO_GRANT_CODE);
  if (code && refreshToken) {
    out(`auth: give --code or --refresh-token, not both\n\n${USAGE}`);
    return 2;
  }
  const missing = [
    !clientId && "--client-id",
    !clientSecret && "ZOHO_CLIENT_SECRET",
    !code && !refreshToken && "--code (or --refresh-token)",
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
  const client = secretsClient(values, env);
  const connect = makeConnectZoho({
    oauth: new ZohoOAuthClient(),
    secrets: new SecretsManagerStore({ client }),
    clock: systemClock,
    tokenCheck: new ZohoTokenCheckHttp(),
  });
  try {
    const summary = await connect({
      connection,
      secretName: values["secret-name"] ?? connectionSecretName(values.stage ?? DEFAULT_STAGE, connection),
      clientId: clientId as string,
      clientSecret: clientSecret as string,
      ...(refreshToken ? { refreshToken } : { code: code as string }),
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

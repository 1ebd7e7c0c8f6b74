/**
 * A Zoho connection as stored in its Secrets Manager secret (one secret per org connection). The refresher and
 * the `auth` command are the only writers; workers read it for the current access token.
 */
import * as z from "zod";
import { ConfigError } from "../errors.js";
import { ZOHO_DCS } from "./zoho-dc.js";

export const ZohoConnectionSchema = z.object({
  schemaVersion: z.literal(1),
  /** Connection name, e.g. `default` or `emea`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  dc: z.enum(ZOHO_DCS),
  /** Accounts server the token calls go to (the user's DC). */
  accountsServer: z.url(),
  /** API domain of CRM, Creator and Books: the `api_domain` Zoho returned with the last token. */
  apiDomain: z.url(),
  /** Desk, when this connection is used for Desk: its API base and the `orgId` header value. */
  desk: z
    .object({
      base: z.url(),
      orgId: z.string().regex(/^\d+$/),
      /** Identifies the mediator's Desk writes so the Desk webhook's `ignoreSourceId` drops their events. */
      sourceId: z.string().min(1).nullable(),
    })
    .nullable(),
  /**
   * Creator, when this connection is used for Creator: the account owner its apps live under (the `<owner>` of
   * `/creator/v2.1/data/<owner>/<app>/...`) and the environment its calls use (absent or null: production). Optional,
   * so secrets written before Creator was supported still parse.
   */
  creator: z
    .object({
      owner: z.string().min(1),
      environment: z.enum(["development", "stage"]).nullish(),
    })
    .nullish(),
  /**
   * Books, when this connection is used for Books: the organization every call names (`organization_id`). Optional,
   * so secrets written before Books was supported still parse; Books calls without it fail with UpstreamScopeError.
   */
  books: z.object({ organizationId: z.string().regex(/^\d{1,19}$/) }).nullish(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  scopes: z.array(z.string()),
  accessToken: z.string().min(1).nullable(),
  /** Epoch milliseconds when the access token stops working. */
  accessTokenExpiresAt: z.number().int().nullable(),
  /** `broken` after Zoho rejected the refresh token or client: a person must run `auth` again. */
  status: z.enum(["active", "broken"]),
  brokenReason: z.string().nullable(),
  /** Epoch ms of refresh attempts inside the guard window (Zoho allows 10 per 10 minutes per refresh token). */
  refreshLog: z.array(z.number().int()),
  /** Epoch ms until which no refresh may be attempted (our guard or Zoho's throttle answer). */
  throttledUntil: z.number().int().nullable(),
  updatedAt: z.iso.datetime(),
});
export type ZohoConnection = z.infer<typeof ZohoConnectionSchema>;

/**
 * Parses a connection secret. A malformed secret gives a ConfigError naming the fields, never their values.
 */
export function parseConnection(secretString: string, secretName: string): ZohoConnection {
  let raw: unknown;
  try {
    raw = JSON.parse(secretString);
  } catch {
    throw new ConfigError(
      `Zoho connection secret "${secretName}" is not JSON; run the auth command to set it up`,
    );
  }
  const parsed = ZohoConnectionSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(root)"))];
    throw new ConfigError(
      `Zoho connection secret "${secretName}" is malformed: invalid or missing field(s) ${fields.map((f) => `"${f}"`).join(", ")}`,
    );
  }
  return parsed.data;
}

export const serializeConnection = (c: ZohoConnection): string =>
  JSON.stringify(ZohoConnectionSchema.parse(c));

/** Secret name convention shared by infra (which creates it), `auth` (which fills it) and functions (which read it). */
export const connectionSecretName = (stage: string, connection: string): string =>
  `zoho-gpt-mediator/${stage}/zoho/${connection}`;

/**
 * The connection a connection secret belongs to: the last segment of its name (the inverse of
 * `connectionSecretName`, and what a secret named by hand with `--secret-name` ends with too).
 */
export const connectionNameOfSecret = (secretName: string): string =>
  secretName.slice(secretName.lastIndexOf("/") + 1);

/** The webhook secret of a stage (`{token, previousToken, hmacKeys, notificationTokens}`), made by infra. */
export const webhookSecretName = (stage: string): string => `zoho-gpt-mediator/${stage}/webhooks`;

/** The model API key secret of a stage (`{"apiKey": "..."}`), made by infra and filled after the first deploy. */
export const modelKeySecretName = (stage: string): string => `zoho-gpt-mediator/${stage}/openai`;

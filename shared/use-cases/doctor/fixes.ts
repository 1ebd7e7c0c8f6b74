/** The fixes doctor suggests, and how it words errors (never a secret: ours carry none, others only their name). */

import type { ZohoConnection } from "../../domain/zoho-connection.js";
import { dcHosts } from "../../domain/zoho-dc.js";
import { RECOMMENDED_SCOPES } from "../../domain/zoho-scopes.js";
import { ConfigError, ConnectionBrokenError, isAppError, UpstreamError } from "../../errors.js";
import type { CheckContext, DoctorCheck, DoctorInput } from "./types.js";

export const CLI = "npx zoho-gpt-mediator";

/** The context every check module shares, for one run. */
export function checkContext(input: DoctorInput, add: (check: DoctorCheck) => void): CheckContext {
  const flags = input.commandFlags ? ` ${input.commandFlags}` : "";
  const authFix = (c?: ZohoConnection, desk?: { orgId: string }) => {
    const hosts = c ? dcHosts(c.dc) : undefined;
    const orgId = desk?.orgId ?? c?.desk?.orgId;
    return [
      `${CLI} auth${flags} --client-id ${c?.clientId ?? "<client id>"} --dc ${c?.dc ?? "<dc>"}`,
      c && c.accountsServer !== hosts?.accountsServer ? `--accounts-server ${c.accountsServer}` : "",
      c?.desk && c.desk.base !== hosts?.deskBase ? `--desk-url ${c.desk.base}` : "",
      orgId ? `--desk-org-id ${orgId}` : "",
      c?.desk?.sourceId ? `--desk-source-id ${c.desk.sourceId}` : "",
      "--refresh-token <refresh token> (or --code <grant code>; ZOHO_CLIENT_SECRET in the environment)",
    ]
      .filter(Boolean)
      .join(" ");
  };
  const scopeFix = (scopes: string[], clientId: string) =>
    `regenerate a grant code with ${scopes.join(", ")} added (API console > Self Client > Generate Code; e.g. scope ${RECOMMENDED_SCOPES}) and run ${CLI} auth${flags} --client-id ${clientId} --code <grant code>`;
  return { input, add, authFix, scopeFix, flags };
}

/** The fix when Secrets Manager itself could not be asked (unreachable, no credentials), else undefined. */
export function secretsFix(error: unknown): string | undefined {
  if (error instanceof UpstreamError && error.upstream === "aws")
    return "Secrets Manager could not be reached: check --region and --secrets-endpoint (locally: is npm start running?)";
  if (error instanceof ConfigError && /no AWS credentials/.test(error.message))
    return "configure AWS credentials for the target account (AWS_PROFILE, or the AWS_* environment variables)";
  return undefined;
}

/** An error's message when it is ours (they never carry secrets), else a generic text. */
export function messageOf(error: unknown, fallback: string): string {
  if (error instanceof ConnectionBrokenError) return `the connection is broken (${error.reason})`;
  if (isAppError(error) || error instanceof ConfigError) return error.message;
  return `${fallback} (${(error as Error)?.name ?? "error"})`;
}

/** Whether a secret read failed because the secret does not exist. */
export const secretMissing = (error: unknown): boolean =>
  (error as { cause?: { name?: string } }).cause?.name === "ResourceNotFoundException";

/**
 * doctor's Zoho, wired as the functions wire it: a token provider over the connection secret (the stored token
 * while it is valid, one refresh through the refresh use case when it is not), one HTTP client with few retries
 * (doctor reports, it does not wait out an outage), and the Zoho ports over it.
 */
import { InProcessRefreshCoordinator } from "../../shared/adapters/zoho/in-process-refresh-coordinator.js";
import { createZohoAdmin, createZohoPorts } from "../../shared/adapters/zoho/ports.js";
import { TokenProvider } from "../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../shared/adapters/zoho/zoho-http-client.js";
import type { Clock } from "../../shared/ports/clock.js";
import type { RefreshOutcome, RefreshRequest } from "../../shared/ports/refresh-coordinator.js";
import type { SecretStore } from "../../shared/ports/secret-store.js";
import type { DoctorDeps } from "../../shared/use-cases/doctor/index.js";

export function doctorZohoFor(deps: {
  secrets: SecretStore;
  /** The refresh use case; called only when the stored access token is no longer valid. */
  refresh(request: RefreshRequest): Promise<RefreshOutcome>;
  clock: Clock;
  fetch?: typeof fetch;
}): DoctorDeps["zohoFor"] {
  return (secretName) => {
    const coordinator = new InProcessRefreshCoordinator(deps.refresh);
    const tokens = new TokenProvider({ secretName, secrets: deps.secrets, coordinator, clock: deps.clock });
    const http = new ZohoHttpClient({
      tokens,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      retry: { serverErrorRetries: 1, rateLimitRetries: 1 },
    });
    const { crm, desk, creator, books } = createZohoPorts(http);
    return {
      token: () => tokens.get(),
      refreshes: () => coordinator.requests,
      admin: createZohoAdmin(http),
      crm,
      desk,
      creator,
      books,
    };
  };
}

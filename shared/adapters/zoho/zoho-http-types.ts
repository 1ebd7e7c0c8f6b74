/** The shapes of a call through ZohoHttpClient (zoho-http-client.ts), apart so the client stays one readable file. */

export type ZohoService = "crm" | "desk";

export interface ZohoRequest {
  service: ZohoService;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the service root, e.g. `/crm/v8/Leads/123` or `/api/v1/tickets/123`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Whether a 5xx or timeout may be retried; defaults to true for GET only. */
  idempotent?: boolean;
  /**
   * Read a successful answer as bytes (an attachment download), refusing more than `maxBytes` with a
   * ValidationError; `data` is then a ZohoBinary. Error answers are still read as Zoho's JSON errors.
   */
  binary?: { maxBytes: number };
}

export interface ZohoResponse<T> {
  status: number;
  /** Undefined for 204. CRM record writes return their per-record `data[]` here even on 207 and 400. */
  data: T | undefined;
  /** From `X-API-CREDITS-REMAINING`, present once the org has used half its daily credits. */
  creditsRemaining?: number;
}

/** The shapes of a call through ZohoHttpClient (zoho-http-client.ts), apart so the client stays one readable file. */

/**
 * The Zoho products the client calls. CRM, Creator and Books live on the connection's `apiDomain` (the token's
 * `api_domain`), under `/crm/`, `/creator/v2.1/` and `/books/v3/`; Desk on the connection's Desk base, under `/api/`.
 */
export type ZohoService = "crm" | "desk" | "creator" | "books";

/** The upstream (error taxonomy) name of each service. */
export type ZohoUpstream = "zoho-crm" | "zoho-desk" | "zoho-creator" | "zoho-books";

export interface ZohoRequest {
  service: ZohoService;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the service root, e.g. `/crm/v8/Leads/123`, `/api/v1/tickets/123` or `/books/v3/invoices/123`. */
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
  /**
   * Creator only. `environment`: the app's environment header (absent: the connection's `creator.environment`, and
   * absent there too: production). `recordCursor`: the `record_cursor` header of a previous page.
   */
  creator?: { environment?: "development" | "stage" | undefined; recordCursor?: string | undefined };
}

export interface ZohoResponse<T> {
  status: number;
  /** Undefined for 204. CRM record writes return their per-record `data[]` here even on 207 and 400. */
  data: T | undefined;
  /** From `X-API-CREDITS-REMAINING`, present once the org has used half its daily credits. */
  creditsRemaining?: number;
  /** Creator's `record_cursor` response header: more records follow; send it back to get them. */
  recordCursor?: string;
}

/** One connection's Zoho services, as the pipeline gets them per unit of work. */
import type { ZohoBooks } from "./zoho-books.js";
import type { ZohoCreator } from "./zoho-creator.js";
import type { ZohoCrm } from "./zoho-crm.js";
import type { ZohoDesk } from "./zoho-desk.js";

export interface ZohoPorts {
  crm: ZohoCrm;
  desk: ZohoDesk;
  /** Creator v2.1 (apps named per call; the connection may set their environment). */
  creator: ZohoCreator;
  /** Books v3 (the connection's `books.organizationId`; calls fail with UpstreamScopeError without one). */
  books: ZohoBooks;
}

/** Builds (and caches) the ports of a named connection; throws ConfigError for a connection not deployed. */
export type ZohoPortsFor = (connection: string) => ZohoPorts;

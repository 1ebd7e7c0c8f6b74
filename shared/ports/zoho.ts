/** One connection's Zoho services, as the pipeline gets them per unit of work. */
import type { ZohoCrm } from "./zoho-crm.js";
import type { ZohoDesk } from "./zoho-desk.js";

export interface ZohoPorts {
  crm: ZohoCrm;
  desk: ZohoDesk;
}

/** Builds (and caches) the ports of a named connection; throws ConfigError for a connection not deployed. */
export type ZohoPortsFor = (connection: string) => ZohoPorts;

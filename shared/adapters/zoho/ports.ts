/**
 * STAND-IN (pipeline package, until the adapters package's `createZohoPorts` lands; its version replaces this file
 * and `crm.ts`, `desk.ts`, `wire-common.ts`, `field-metadata-wire.ts`): the Zoho ports over the HTTP client.
 */
import type { ZohoPorts } from "../../ports/zoho.js";
import { ZohoCrmHttp } from "./crm.js";
import { ZohoDeskHttp } from "./desk.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

export { ZohoCrmHttp } from "./crm.js";
export { ZohoDeskHttp } from "./desk.js";

export function createZohoPorts(http: ZohoHttpClient): ZohoPorts {
  return { crm: new ZohoCrmHttp(http), desk: new ZohoDeskHttp(http) };
}

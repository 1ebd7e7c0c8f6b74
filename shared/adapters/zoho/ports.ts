/** The Zoho ports of one connection, over one ZohoHttpClient (one token cache, one concurrency cap, one credits reading). */
import type { ZohoPorts } from "../../ports/zoho.js";
import type { ZohoAdmin } from "../../ports/zoho-admin.js";
import { ZohoAdminHttp } from "./admin.js";
import { ZohoBooksHttp } from "./books.js";
import { ZohoCreatorHttp } from "./creator.js";
import { ZohoCrmHttp, type ZohoCrmHttpOptions } from "./crm.js";
import { ZohoDeskHttp } from "./desk.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

export { ZohoAdminHttp } from "./admin.js";
export { ZohoBooksHttp } from "./books.js";
export { ZohoCreatorHttp } from "./creator.js";
export { ZohoCrmHttp } from "./crm.js";
export { ZohoDeskHttp } from "./desk.js";

export function createZohoPorts(http: ZohoHttpClient, options: ZohoCrmHttpOptions = {}): ZohoPorts {
  return {
    crm: new ZohoCrmHttp(http, options),
    desk: new ZohoDeskHttp(http),
    creator: new ZohoCreatorHttp(http),
    books: new ZohoBooksHttp(http),
  };
}

/** The setup surface (doctor, `fields create`, notification channels) over the same client. */
export function createZohoAdmin(http: ZohoHttpClient): ZohoAdmin {
  return new ZohoAdminHttp(http);
}

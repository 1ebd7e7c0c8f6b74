/**
 * Moved to `shared/domain/zoho-dc.ts` (Zoho's data centres are facts the domain's connection schema needs, and the
 * domain imports only the domain). This re-export keeps the importers outside the names package compiling until
 * they import the domain module; delete it then.
 */
export { type DcHosts, dcFromAccountsServer, dcHosts, ZOHO_DCS, type ZohoDc } from "../domain/zoho-dc.js";

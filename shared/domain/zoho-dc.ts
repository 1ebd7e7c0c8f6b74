/**
 * Zoho data centres: accounts server, CRM API domain and Desk host per DC (fact sheet §1.8, §5.1).
 * Every host can be overridden per connection, which is how the local stack and tests use the Zoho sandbox.
 */
export const ZOHO_DCS = ["us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"] as const;
export type ZohoDc = (typeof ZOHO_DCS)[number];

export interface DcHosts {
  accountsServer: string;
  apiDomain: string;
  /** CRM sandbox org API domain. */
  sandboxApiDomain: string;
  /** Desk API base (`{desk}/api/v1/...`); CA/SA/UK Desk hosts are UNCONFIRMED and follow the pattern. */
  deskBase: string;
}

const tld: Record<ZohoDc, string> = {
  us: "com",
  eu: "eu",
  in: "in",
  au: "com.au",
  jp: "jp",
  cn: "com.cn",
  ca: "ca",
  sa: "sa",
  uk: "uk",
};

export function dcHosts(dc: ZohoDc): DcHosts {
  const t = tld[dc];
  return {
    // Canada's accounts server is on zohocloud.ca, not zoho.ca.
    accountsServer: dc === "ca" ? "https://accounts.zohocloud.ca" : `https://accounts.zoho.${t}`,
    apiDomain: `https://www.zohoapis.${t}`,
    sandboxApiDomain: `https://sandbox.zohoapis.${t}`,
    deskBase: dc === "ca" ? "https://desk.zohocloud.ca" : `https://desk.zoho.${t}`,
  };
}

/**
 * Picks the DC from what Zoho's redirect says (`location=eu` or `accounts-server=https://accounts.zoho.eu`).
 * Returns undefined for a host it does not recognise (e.g. the local sandbox), where the caller must be explicit.
 */
export function dcFromAccountsServer(value: string): ZohoDc | undefined {
  if ((ZOHO_DCS as readonly string[]).includes(value)) return value as ZohoDc;
  return ZOHO_DCS.find((dc) => dcHosts(dc).accountsServer === value.replace(/\/+$/, ""));
}

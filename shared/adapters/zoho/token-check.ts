/** `ZohoTokenCheck` over fetch: the cheap calls `auth` makes with a new token before storing it. */
import * as z from "zod";
import { parseJsonLossless } from "../../json/safe-json.js";
import type { ZohoTokenCheck } from "../../ports/zoho-oauth.js";

const CrmErrorSchema = z.looseObject({ code: z.string().optional() });
const BooksOrganizationsSchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  organizations: z.array(z.looseObject({ organization_id: z.union([z.string(), z.number()]) })).optional(),
});
const OrganizationsSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.union([z.string(), z.number()]) })).optional(),
  errorCode: z.string().optional(),
});

export class ZohoTokenCheckHttp implements ZohoTokenCheck {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async crm(apiDomain: string, accessToken: string): Promise<{ status: number; code?: string }> {
    const res = await this.fetchFn(`${apiDomain}/crm/v8/settings/modules`, {
      headers: { authorization: `Zoho-oauthtoken ${accessToken}` },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = CrmErrorSchema.safeParse(await res.json().catch(() => ({})));
    const code = body.success ? body.data.code : undefined;
    return { status: res.status, ...(code ? { code } : {}) };
  }

  async deskOrganizations(
    deskBase: string,
    accessToken: string,
  ): Promise<{ status: number; code?: string; ids: string[] }> {
    const res = await this.fetchFn(`${deskBase}/api/v1/organizations`, {
      headers: { authorization: `Zoho-oauthtoken ${accessToken}` },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = OrganizationsSchema.safeParse(await res.json().catch(() => ({})));
    const code = body.success ? body.data.errorCode : undefined;
    return {
      status: res.status,
      ...(code ? { code } : {}),
      ids: body.success ? (body.data.data ?? []).map((o) => String(o.id)) : [],
    };
  }

  async booksOrganizations(
    apiDomain: string,
    accessToken: string,
  ): Promise<{ status: number; code?: string; ids: string[] }> {
    const res = await this.fetchFn(`${apiDomain}/books/v3/organizations`, {
      headers: { authorization: `Zoho-oauthtoken ${accessToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // Organization ids may be long integers: parsed losslessly.
    const text = await res.text().catch(() => "");
    let raw: unknown = {};
    try {
      raw = parseJsonLossless(text);
    } catch {}
    const body = BooksOrganizationsSchema.safeParse(raw);
    const code = body.success && body.data.code !== undefined ? String(body.data.code) : undefined;
    return {
      status: res.status,
      ...(code && code !== "0" ? { code } : {}),
      ids: body.success ? (body.data.organizations ?? []).map((o) => String(o.organization_id)) : [],
    };
  }
}

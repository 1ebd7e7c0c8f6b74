/**
 * The address Desk e-mail drafts and replies are sent from. Desk requires `fromEmailAddress` on every EMAIL draft
 * and reply, and accepts only one of the org's active mail reply addresses. The address is configuration
 * (`DESK_FROM_ADDRESS`, which `doctor` checks against the org) or, when unset, read live from the org:
 * the ticket's department's active address, else the default, else the first active one.
 */
import * as z from "zod";
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import { ConfigError, NotFoundError } from "../errors.js";
import type { Clock } from "../ports/clock.js";

/** Desk's "List MailReplyAddresses" entry; the shape is UNCONFIRMED, so everything but the address is optional. */
const ReplyAddressSchema = z.looseObject({
  address: z.string().nullish(),
  emailAddress: z.string().nullish(),
  departmentId: z.union([z.string(), z.number()]).nullish(),
  isActive: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
});
const ReplyAddressesSchema = z.looseObject({ data: z.array(z.unknown()).nullish() });

export interface ReplyAddress {
  address: string;
  departmentId: string | null;
  isDefault: boolean;
}

/** Active reply addresses in Desk's order; entries that do not parse are skipped (tolerant of shape drift). */
export function parseReplyAddresses(body: unknown): ReplyAddress[] {
  const list = ReplyAddressesSchema.safeParse(body ?? {});
  if (!list.success) return [];
  const out: ReplyAddress[] = [];
  for (const raw of list.data.data ?? []) {
    const entry = ReplyAddressSchema.safeParse(raw);
    if (!entry.success || entry.data.isActive === false) continue;
    const address = entry.data.address ?? entry.data.emailAddress;
    if (!address) continue;
    out.push({
      address,
      departmentId: entry.data.departmentId == null ? null : String(entry.data.departmentId),
      isDefault: entry.data.isDefault === true,
    });
  }
  return out;
}

/** The department's address, else the default, else the first active one. */
export function chooseReplyAddress(
  addresses: ReplyAddress[],
  departmentId: string | null | undefined,
): string | undefined {
  return (
    (departmentId ? addresses.find((a) => a.departmentId === departmentId) : undefined) ??
    addresses.find((a) => a.isDefault) ??
    addresses[0]
  )?.address;
}

/** Resolves the from address per connection; the org's list is cached for `ttlMs` (addresses change rarely). */
export class DeskFromAddress {
  private readonly cache = new Map<string, { at: number; addresses: ReplyAddress[] }>();

  constructor(
    private readonly configured: string | null,
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** The from address for a ticket; ConfigError (not retryable) when neither configuration nor the org has one. */
  async for(zoho: ZohoHttpClient, connection: string, departmentId?: string | null): Promise<string> {
    if (this.configured) return this.configured;
    // Desk's API lists a department's reply addresses (its OpenAPI marks `departmentId` required): ask for the
    // ticket's department first, and for the org's whole list only when the ticket has none or its list is empty.
    const department = departmentId && /^\d{1,19}$/.test(departmentId) ? departmentId : undefined;
    const scoped = department ? await this.addresses(zoho, connection, department) : [];
    const address = chooseReplyAddress(
      scoped.length ? scoped : await this.addresses(zoho, connection, undefined),
      departmentId,
    );
    if (!address)
      throw new ConfigError(
        `Zoho Desk has no active mail reply address for connection "${connection}", so no e-mail draft can be saved: set DESK_FROM_ADDRESS or add and verify an active reply address in Zoho Desk's e-mail channel settings; doctor checks it`,
      );
    return address;
  }

  private async addresses(
    zoho: ZohoHttpClient,
    connection: string,
    departmentId: string | undefined,
  ): Promise<ReplyAddress[]> {
    const key = `${connection}|${departmentId ?? "*"}`;
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit.addresses;
    let addresses: ReplyAddress[];
    try {
      const res = await zoho.request({
        service: "desk",
        method: "GET",
        path: "/api/v1/mailReplyAddress",
        query: { isActive: "true", ...(departmentId ? { departmentId } : {}) },
      });
      addresses = parseReplyAddresses(res.data);
    } catch (error) {
      // An org (or API version) without the endpoint has no address we can use: a configuration problem.
      if (!(error instanceof NotFoundError)) throw error;
      addresses = [];
    }
    this.cache.set(key, { at: this.clock.now(), addresses });
    return addresses;
  }
}

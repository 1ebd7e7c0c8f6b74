/**
 * The address Desk e-mail drafts and replies are sent from. Desk requires `fromEmailAddress` on every EMAIL draft
 * and reply, and accepts only one of the org's active mail reply addresses. The address is configuration
 * (`DESK_FROM_ADDRESS`, which `doctor` checks against the org) or, when unset, read live from the org through
 * `ZohoDesk.replyAddresses`: the ticket's department's active address, else the default, else the first active one.
 */
import { ConfigError, NotFoundError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { DeskReplyAddress, ZohoDesk } from "../ports/zoho-desk.js";

/** The department's address, else the default, else the first active one. */
export function chooseReplyAddress(
  addresses: readonly DeskReplyAddress[],
  departmentId: string | null | undefined,
): string | undefined {
  const active = addresses.filter((a) => a.isActive);
  return (
    (departmentId ? active.find((a) => a.departmentId === departmentId) : undefined) ??
    active.find((a) => a.isDefault) ??
    active[0]
  )?.address;
}

/** Resolves the from address per connection; the org's list is cached for `ttlMs` (addresses change rarely). */
export class DeskFromAddress {
  private readonly cache = new Map<string, { at: number; addresses: DeskReplyAddress[] }>();

  constructor(
    private readonly configured: string | null,
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** The from address for a ticket; ConfigError (not retryable) when neither configuration nor the org has one. */
  async for(desk: ZohoDesk, connection: string, departmentId?: string | null): Promise<string> {
    if (this.configured) return this.configured;
    // Desk's API lists a department's reply addresses (its OpenAPI marks `departmentId` required): ask for the
    // ticket's department first, and for the org's whole list only when the ticket has none or its list is empty.
    const department = departmentId && /^\d{1,19}$/.test(departmentId) ? departmentId : undefined;
    const scoped = department ? await this.addresses(desk, connection, department) : [];
    const address = chooseReplyAddress(
      scoped.some((a) => a.isActive) ? scoped : await this.addresses(desk, connection, undefined),
      departmentId,
    );
    if (!address)
      throw new ConfigError(
        `Zoho Desk has no active mail reply address for connection "${connection}", so no e-mail draft can be saved: set DESK_FROM_ADDRESS or add and verify an active reply address in Zoho Desk's e-mail channel settings; doctor checks it`,
      );
    return address;
  }

  private async addresses(
    desk: ZohoDesk,
    connection: string,
    departmentId: string | undefined,
  ): Promise<DeskReplyAddress[]> {
    const key = `${connection}|${departmentId ?? "*"}`;
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit.addresses;
    let addresses: DeskReplyAddress[];
    try {
      addresses = await desk.replyAddresses(departmentId);
    } catch (error) {
      // An org (or API version) without the endpoint has no address we can use: a configuration problem.
      if (!(error instanceof NotFoundError)) throw error;
      addresses = [];
    }
    this.cache.set(key, { at: this.clock.now(), addresses });
    return addresses;
  }
}

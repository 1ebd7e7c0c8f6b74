/** doctor's Desk checks: the org is one the token reaches, and drafts have an active from address. */
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import { UpstreamScopeError } from "../../errors.js";
import { messageOf } from "./fixes.js";
import type { CheckContext, DoctorZoho } from "./types.js";

const SETUP_PATH =
  "Desk: Setup > Channels > Email > Mail Reply Address (add the address, verify it, mark it active)";

export async function checkDesk(ctx: CheckContext, conn: ZohoConnection, zoho: DoctorZoho): Promise<void> {
  const { add, authFix } = ctx;
  const desk = conn.desk as NonNullable<ZohoConnection["desk"]>;
  try {
    const ids = await zoho.admin.deskOrganizations();
    const found = ids.includes(desk.orgId);
    add({
      id: "desk",
      title: "Desk org",
      status: found ? "ok" : "fail",
      detail: found
        ? `org ${desk.orgId} at ${desk.base}`
        : `org ${desk.orgId} is not one of this token's organizations (${ids.join(", ") || "none"})`,
      ...(found ? {} : { fix: `run ${authFix(conn, { orgId: `<one of: ${ids.join(", ") || "none"}>` })}` }),
    });
    if (!found) return;
  } catch (error) {
    add({
      id: "desk",
      title: "Desk org",
      status: "fail",
      detail: messageOf(error, `Desk at ${desk.base} did not answer`),
      fix:
        error instanceof UpstreamScopeError
          ? ctx.scopeFix(["Desk.basic.READ"], conn.clientId)
          : `check the Desk base URL (${desk.base}) and the DC; re-run ${authFix(conn)}`,
    });
    return;
  }
  await checkFromAddress(ctx, conn, zoho);
}

async function checkFromAddress(ctx: CheckContext, conn: ZohoConnection, zoho: DoctorZoho): Promise<void> {
  const { add, input } = ctx;
  try {
    const active = (await zoho.desk.replyAddresses())
      .filter((a) => a.isActive)
      .map((a) => ({ address: a.address.toLowerCase(), isDefault: a.isDefault }));
    const list = active.map((a) => a.address).join(", ") || "none";
    if (input.deskFromAddress) {
      const found = active.some((a) => a.address === input.deskFromAddress?.toLowerCase());
      add({
        id: "desk-from-address",
        title: "Desk from address",
        status: found ? "ok" : "fail",
        detail: found
          ? `DESK_FROM_ADDRESS ${input.deskFromAddress} is an active reply address`
          : `DESK_FROM_ADDRESS ${input.deskFromAddress} is not one of the org's active reply addresses (${list}); Desk refuses e-mail drafts and replies from it`,
        ...(found
          ? {}
          : {
              fix: `set DESK_FROM_ADDRESS to one of ${list}, or add ${input.deskFromAddress} in ${SETUP_PATH}`,
            }),
      });
    } else {
      const chosen = active.find((a) => a.isDefault) ?? active[0];
      add({
        id: "desk-from-address",
        title: "Desk from address",
        status: chosen ? "ok" : "fail",
        detail: chosen
          ? `DESK_FROM_ADDRESS unset: drafts use the org's active reply address (${chosen.address}, or the ticket department's)`
          : "the org has no active mail reply address and DESK_FROM_ADDRESS is unset: Desk refuses e-mail drafts and replies",
        ...(chosen ? {} : { fix: `add a support address in ${SETUP_PATH}, or set DESK_FROM_ADDRESS` }),
      });
    }
  } catch (error) {
    add({
      id: "desk-from-address",
      title: "Desk from address",
      status: "fail",
      detail: messageOf(error, "cannot list the org's mail reply addresses"),
      fix:
        error instanceof UpstreamScopeError
          ? ctx.scopeFix(["Desk.settings.READ"], conn.clientId)
          : `check ${SETUP_PATH}`,
    });
  }
}

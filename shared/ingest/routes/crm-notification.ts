/**
 * `POST /v1/hooks/crm/notifications`: a Notification API callback, one unit per record id for the use case that
 * watches the callback's module. A module no use case watches is acknowledged and counted as ignored.
 */
import { bodyDigest } from "../../domain/dedup-key.js";
import { isOwnCrmUpdate, type LoopGuardConfig } from "../../domain/loop-guard.js";
import type { HttpRequest } from "../http.js";
import { CrmNotificationSchema } from "../inputs.js";
import { type RouteResult, type Unit, validate } from "./route-kit.js";

/** `useCaseOf` maps a CRM module to the use case that watches it (a Map: no inherited names). */
export function crmNotificationRoute(useCaseOf: ReadonlyMap<string, string>) {
  return (req: HttpRequest, body: unknown, loopGuard: LoopGuardConfig): RouteResult => {
    const n = validate(CrmNotificationSchema, body, "notification");
    const useCase = useCaseOf.get(n.module);
    if (useCase === undefined) return { units: [], ignored: n.ids.length };
    const affected = new Map<string, string[]>();
    for (const entry of n.affected_fields ?? [])
      for (const [id, fields] of Object.entries(entry)) affected.set(id, fields);
    const units: Unit[] = [];
    let ignored = 0;
    // One callback may name a record twice (Zoho batches changes): one unit per distinct id.
    const seen = new Set<string>();
    for (const id of n.ids) {
      // A deleted record has nothing to work on; an update of only the mediator's own fields is its own write.
      if (seen.has(id) || n.operation === "delete" || isOwnCrmUpdate(affected.get(id), loopGuard)) {
        ignored += 1;
        continue;
      }
      seen.add(id);
      units.push({
        useCase,
        source: "crm-notification",
        dedupKey: `crm-n:${n.module}:${id}:${n.operation}:${n.server_time ?? bodyDigest(req.body)}`,
        subject: { service: "crm", module: n.module, id },
        input: { module: n.module, id, operation: n.operation, channelId: String(n.channel_id) },
      });
    }
    return { units, ignored };
  };
}

/**
 * The Notifications API's request checks (zoho/crm-oas v8.0/notifications.json): the `watch` list, each channel's
 * fields (`notify_url`, `events`, `token` of at most 50 characters, `channel_expiry` cut to the longest life), the
 * per-channel error items and the status of a batch answer (202 when any item failed).
 */
import type { ModuleMeta } from "./metadata.js";
import type { SandboxContext } from "./state.js";

/** A per-channel error item, naming the field as `$.watch[i].field`. */
export function itemError(code: string, field: string, index: number, message = "invalid data") {
  return {
    code,
    details: { api_name: field, json_path: `$.watch[${index}].${field}` },
    message,
    status: "error",
  };
}

/** Checks the parts of a channel that are given; `undefined` fields are left to the caller. */
export function checkChannel(
  ctx: SandboxContext,
  modules: Map<string, ModuleMeta>,
  w: Record<string, unknown>,
  i: number,
  partial: boolean,
) {
  const err = (field: string) => itemError("INVALID_DATA", field, i);
  const now = ctx.clock.now();
  if (!partial || w.notify_url !== undefined)
    if (typeof w.notify_url !== "string" || !/^https?:\/\//.test(w.notify_url))
      return { error: err("notify_url") };
  if (!partial || w.events !== undefined) {
    const events = w.events;
    if (
      !Array.isArray(events) ||
      events.length === 0 ||
      !events.every((e) => {
        const [mod, op] = typeof e === "string" ? e.split(".") : [];
        return !!mod && modules.has(mod) && ["create", "edit", "delete", "all"].includes(op ?? "");
      })
    )
      return { error: err("events") };
  }
  // The token is echoed in every callback so the receiver can check it; at most 50 characters (notes §4.2).
  if (w.token !== undefined && w.token !== null && (typeof w.token !== "string" || w.token.length > 50))
    return { error: err("token") };
  let expiry: number | undefined;
  if (w.channel_expiry !== undefined && w.channel_expiry !== null) {
    const requested = typeof w.channel_expiry === "string" ? Date.parse(w.channel_expiry) : Number.NaN;
    if (Number.isNaN(requested) || requested <= now) return { error: err("channel_expiry") };
    // Later than the longest life is cut to it (1 day or 1 week: UNCONFIRMED, a setting).
    expiry = Math.min(requested, now + ctx.options.watchMaxExpirySeconds * 1000);
  } else if (!partial) expiry = now + ctx.options.watchDefaultExpirySeconds * 1000;
  return { expiry };
}

/** The request's `watch` list, or `undefined` when it has none. */
export function watchList(body: unknown): unknown[] | undefined {
  const list = (body as { watch?: unknown } | undefined)?.watch;
  return Array.isArray(list) && list.length > 0 ? list : undefined;
}

/** REQUIRED_PARAM_MISSING for a request without `watch`. */
export function missingWatch() {
  return {
    status: 400,
    body: {
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "watch" },
      message: "One of the expected parameter is missing",
      status: "error",
    },
  };
}

/** The status for a list of item results: `okStatus` when all succeeded, else 202. */
export function answer(results: Record<string, unknown>[], okStatus: number) {
  return {
    status: results.every((r) => r.status === "success") ? okStatus : 202,
    body: { watch: results },
  };
}

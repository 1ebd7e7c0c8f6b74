/**
 * Recognises triggers caused by the mediator's own writes, so they are dropped instead of starting a loop.
 *
 * - CRM workflow webhooks: the mediator writes with `"trigger": []`, so workflows do not fire; as a second line,
 *   a webhook that reports `modified_by` (the `${Leads.Modified By}` merge field) equal to the integration user is
 *   dropped.
 * - CRM Notification API callbacks fire on every change, API writes included: an update whose affected fields are
 *   all fields the mediator writes is dropped.
 * - Desk: the webhook's `ignoreSourceId` drops events of writes carrying the mediator's source id at Zoho's side;
 *   as a second line, events whose actor is the integration agent are dropped.
 */
export interface LoopGuardConfig {
  /** Ids or names of the CRM user the mediator writes as. */
  crmIntegrationUsers: string[];
  /** CRM fields the mediator writes (e.g. AI_Score); an update touching only these is its own. */
  crmMediatorFields: string[];
  /** Desk agent ids the mediator acts as. */
  deskIntegrationActors: string[];
}

export const isOwnCrmWorkflowTrigger = (params: Record<string, unknown>, cfg: LoopGuardConfig): boolean => {
  const by = params.modified_by ?? params.Modified_By;
  return typeof by === "string" && cfg.crmIntegrationUsers.includes(by);
};

export const isOwnCrmUpdate = (affected: string[] | undefined, cfg: LoopGuardConfig): boolean =>
  affected !== undefined &&
  affected.length > 0 &&
  cfg.crmMediatorFields.length > 0 &&
  affected.every((f) => cfg.crmMediatorFields.includes(f));

export const isOwnDeskEvent = (payload: Record<string, unknown>, cfg: LoopGuardConfig): boolean => {
  const actor = [
    payload.modifiedBy,
    payload.commenterId,
    (payload.author as { id?: unknown } | undefined)?.id,
  ].find((v) => typeof v === "string" || typeof v === "number");
  return actor !== undefined && cfg.deskIntegrationActors.includes(String(actor));
};

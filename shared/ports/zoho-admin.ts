/**
 * Zoho's setup surface, as the operator use cases (doctor, `fields create`, the notification channels) see it:
 * CRM modules, Create Custom Field, Notification API channels (`actions/watch`) and the Desk organizations a token
 * reaches. The adapter (`shared/adapters/zoho/admin.ts`) owns every URL and wire shape.
 */

/** A CRM custom field to create (Create Custom Field's `field_label`, `data_type`, `length`, picklist values). */
export interface NewCustomField {
  label: string;
  dataType: string;
  length?: number;
  picklistValues?: readonly string[];
}

/** Zoho's answer for one field: `SUCCESS`, `DUPLICATE_DATA`, `LIMIT_EXCEEDED`, `INVALID_DATA`, ... */
export interface CustomFieldResult {
  code: string | undefined;
  message?: string;
  /** The new field's id, on SUCCESS. */
  id?: string;
  /** The module's custom field limit, on LIMIT_EXCEEDED. */
  limit?: number;
}

/** A Notification API channel as Zoho lists it. */
export interface WatchChannel {
  channelId: string;
  events: string[];
  /** Epoch ms; NaN when Zoho gave none or an unreadable one. */
  expiresAt: number;
  notifyUrl: string | null;
}

/** One channel to (re)subscribe. */
export interface WatchSubscription {
  channelId: number;
  events: string[];
  notifyUrl: string;
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Zoho's answer for one subscription. */
export interface WatchResult {
  ok: boolean;
  code?: string;
  message?: string;
}

export interface ZohoAdmin {
  /** The org's CRM modules (proves the API domain answers and the token works). */
  crmModules(): Promise<{ apiName: string }[]>;
  /**
   * Creates one custom field (one request per field: one over the edition's cap fails alone). Zoho's refusal of
   * the field is a result (its code), not an error; a missing scope throws UpstreamScopeError.
   */
  createCustomField(module: string, field: NewCustomField): Promise<CustomFieldResult>;
  /** The request `createCustomField` would send, for people (a dry run prints it). */
  describeCustomField(module: string, field: NewCustomField): string;
  /** The channel's subscription, when Zoho has one (an unknown channel is an empty list). */
  listWatches(channelId: number, module: string): Promise<WatchChannel[]>;
  /** Subscribes or renews channels; one result per subscription, in order. */
  watch(subscriptions: readonly WatchSubscription[]): Promise<WatchResult[]>;
  /** Disables channels. */
  unwatch(channelIds: readonly number[]): Promise<void>;
  /** Ids of the Desk organizations this token reaches. */
  deskOrganizations(): Promise<string[]>;
}

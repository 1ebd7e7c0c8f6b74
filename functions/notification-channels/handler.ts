/**
 * Notification channels Lambda: on its EventBridge schedule it subscribes the configured Zoho CRM Notification API
 * channels of every connection and renews those close to expiry, with channel tokens it generates and stores in the
 * webhook secret first. Reserved concurrency 1: runs never overlap, so token rotation is never raced.
 */
import {
  channelsLogger,
  channelsMetrics,
  getNotificationChannelsRun,
} from "../../shared/lambda/deps/notification-channels-deps.js";
import { type LambdaLayers, lazyHandler, withLayers } from "../../shared/lambda/layers.js";
import {
  type ChannelOutcome,
  type ManageNotificationChannelsDeps,
  makeManageNotificationChannels,
} from "../../shared/use-cases/manage-notification-channels.js";

const DEFAULT_LAYERS: LambdaLayers = { logger: channelsLogger, metrics: channelsMetrics };

/** A run wrapped in the function's layers; the scheduled event carries nothing the run needs. */
const wrap = (run: () => Promise<ChannelOutcome[]>, layers: LambdaLayers) =>
  withLayers("notification-channels", (_event: unknown) => run(), layers);

/** The middy-wrapped handler over given dependencies: what AWS runs, and what the local stack and tests call. */
export const buildHandler = (deps: ManageNotificationChannelsDeps, layers: LambdaLayers = DEFAULT_LAYERS) =>
  wrap(makeManageNotificationChannels(deps), layers);

export const handler = lazyHandler(() => wrap(getNotificationChannelsRun(), DEFAULT_LAYERS));

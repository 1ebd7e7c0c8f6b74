/**
 * Notification channels Lambda: on its EventBridge schedule it subscribes the configured Zoho CRM Notification API
 * channels of every connection and renews those close to expiry, with channel tokens it generates and stores in the
 * webhook secret first. Reserved concurrency 1: runs never overlap, so token rotation is never raced.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import {
  channelsLogger,
  channelsMetrics,
  getNotificationChannelsRun,
} from "../../shared/lambda/deps/notification-channels-deps.js";
import {
  type ManageNotificationChannelsDeps,
  makeManageNotificationChannels,
} from "../../shared/use-cases/manage-notification-channels.js";

/** For tests and the local stack: the same run over injected dependencies. */
export const buildHandler = (deps: ManageNotificationChannelsDeps) => makeManageNotificationChannels(deps);

export const handler = middy(() => getNotificationChannelsRun()())
  .use(injectLambdaContext(channelsLogger.powertools))
  .use(logMetrics(channelsMetrics));

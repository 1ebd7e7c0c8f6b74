/**
 * Structured logging on Powertools Logger, with every attribute passed through {@link redact}.
 * `createLogger(service)` once per module; log `logger.info("token refreshed", { connection })`, never by
 * string concatenation, never with secrets or full prompts. Inside `withLogKeys` (log-context.ts) every line also
 * carries the scope's keys (`correlation_id`, `job_id`).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { currentLogKeys } from "./log-context.js";
import { redact, redactString } from "./redact.js";

export interface AppLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  /** The underlying Powertools logger, for middy's `injectLambdaContext`. */
  readonly powertools: Logger;
}

export function createLogger(serviceName: string): AppLogger {
  const powertools = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
  const emit =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      powertools[level](redactString(message), {
        ...(redact(attributes) as Record<string, unknown>),
        // After the attributes: a caller's attribute of the same name never hides the scope's id.
        ...currentLogKeys(),
      });
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error"), powertools };
}

/** One Creator API call as the read and write operations see it, after routing, auth, scope and limits. */
import type { IncomingHttpHeaders } from "node:http";
import type { SandboxContext } from "../state.js";
import type { Creator } from "./store.js";
import type { CreatorApp, CreatorEnv } from "./types.js";

export interface CreatorCall {
  ctx: SandboxContext;
  creator: Creator;
  app: CreatorApp;
  env: CreatorEnv;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** `Accept: text/csv` on a read. */
  csv: boolean;
  clientId?: string;
  /** An API call, or a person in the app's UI (a sandbox control). */
  source: "api" | "ui";
}

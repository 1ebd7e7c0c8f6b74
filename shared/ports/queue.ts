import type { WorkMessage } from "../schemas/work-message.js";

/** Queue port: hands units of work to the worker. `send` is all or nothing from the caller's point of view. */
export interface Queue {
  send(messages: WorkMessage[]): Promise<{ messageIds: string[] }>;
}

/**
 * The tools the mediator serves to agents, in the order they are listed (MCP `tools/list`, the OpenAPI document's
 * operations). Both protocols are generated from these definitions: one source of truth.
 */
import { crmDescribeModule, crmGetRecord, crmSearch } from "./crm-tools.js";
import { crmAddNote, crmCreateTask, crmProposeUpdate, crmUpdate } from "./crm-write-tools.js";
import type { ToolDefinition } from "./definition.js";
import { deskAddPrivateComment, deskGetTicket, deskSaveDraftReply } from "./desk-tools.js";
import { mediatorJobStatus } from "./job-tools.js";

/** A tool of this catalog; `alwaysPropose` makes every write of it a proposal, whatever the key. */
export type CatalogTool = ToolDefinition & { alwaysPropose?: boolean };

/** Whether every write of the tool becomes a proposal a person approves (crm_propose_update). */
export const alwaysProposes = (tool: ToolDefinition): boolean => (tool as CatalogTool).alwaysPropose === true;

export const TOOL_CATALOG: readonly ToolDefinition[] = [
  crmSearch,
  crmGetRecord,
  crmDescribeModule,
  crmProposeUpdate,
  crmUpdate,
  crmAddNote,
  crmCreateTask,
  deskGetTicket,
  deskAddPrivateComment,
  deskSaveDraftReply,
  mediatorJobStatus,
] as readonly ToolDefinition[];

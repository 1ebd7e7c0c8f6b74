/**
 * Ids of the mediated inbound path: a tool call's `call_...` (the job id every answer carries) and a proposal's
 * `prop_...`, each with 20 random characters `[a-z0-9]` (about 103 bits: unguessable, so one key cannot find
 * another's calls by trying ids, and the status tool checks the owner anyway).
 */
import { randomId } from "../domain/api-key.js";

export const newCallId = (): string => `call_${randomId(20)}`;
export const newProposalId = (): string => `prop_${randomId(20)}`;

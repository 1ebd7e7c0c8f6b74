/**
 * Ids of the mediated inbound path: a tool call's `call_...` (the job id every answer carries) and a proposal's
 * `prop_...`, each with 20 random characters `[a-z0-9]` (about 103 bits: unguessable, so one key cannot find
 * another's calls by trying ids, and the status tool checks the owner anyway).
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** 20 characters `[a-z0-9]`; rejection sampling keeps every character equally likely. */
function randomId(): string {
  let out = "";
  while (out.length < 20) {
    for (const byte of randomBytes(32)) {
      // 252 = 7 * 36: bytes above it would favour the first characters.
      if (byte < 252 && out.length < 20) out += ALPHABET[byte % 36];
    }
  }
  return out;
}

export const newCallId = (): string => `call_${randomId()}`;
export const newProposalId = (): string => `prop_${randomId()}`;

/** `zoho-gpt-mediator backfill`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const backfillCommand: RegisterCommand = (program) => {
  program.command("backfill").description("(not built yet)");
};

/** `zoho-gpt-mediator usage`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const usageCommand: RegisterCommand = (program) => {
  program.command("usage").description("(not built yet)");
};

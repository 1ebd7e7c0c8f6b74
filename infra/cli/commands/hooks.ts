/** `zoho-gpt-mediator hooks`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const hooksCommand: RegisterCommand = (program) => {
  program.command("hooks").description("(not built yet)");
};

/** `zoho-gpt-mediator status`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const statusCommand: RegisterCommand = (program) => {
  program.command("status").description("(not built yet)");
};

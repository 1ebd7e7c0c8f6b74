/** `zoho-gpt-mediator auth`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const authCommand: RegisterCommand = (program) => {
  program.command("auth").description("(not built yet)");
};

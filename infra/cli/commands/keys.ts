/** `zoho-gpt-mediator keys`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const keysCommand: RegisterCommand = (program) => {
  program.command("keys").description("(not built yet)");
};

/** `zoho-gpt-mediator send`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const sendCommand: RegisterCommand = (program) => {
  program.command("send").description("(not built yet)");
};

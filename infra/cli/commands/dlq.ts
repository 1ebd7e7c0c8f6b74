/** `zoho-gpt-mediator dlq`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const dlqCommand: RegisterCommand = (program) => {
  program.command("dlq").description("(not built yet)");
};

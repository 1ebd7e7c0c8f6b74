/**
 * The stage used when none is given. One value for the CDK app (`-c stage=`), every CLI command (`--stage`) and the
 * local stack (`npm start`), so `auth`, `doctor` and `npm start` find the same secrets without `--stage`.
 */
export const DEFAULT_STAGE = "dev";

/**
 * The connection used when a trigger or a command names none (`X-Mediator-Connection`, `?connection=`,
 * `--connection`), and the one connection a stage has unless its config lists more.
 */
export const DEFAULT_CONNECTION = "default";

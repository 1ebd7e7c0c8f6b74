/**
 * The physical names of a stage's resources, one place for the CDK stack, the local stack and the operator CLI: a
 * command finds a deployed stage's queues, tables and secrets from `--stage` alone (and the local stack's under the
 * default stage's names), with no CloudFormation lookup.
 */
import { agentTableName } from "../domain/api-key.js";
import { connectionSecretName, modelKeySecretName, webhookSecretName } from "../domain/zoho-connection.js";

/** Stage names the CDK config accepts (`config/<stage>.json`, `-c stage=`): they end up in resource names. */
export const STAGE_NAME = /^[a-z][a-z0-9-]{0,20}$/;

export interface StageResources {
  stage: string;
  /** `ZohoGptMediator-<stage>`. */
  stackName: string;
  workQueue: string;
  deadLetterQueue: string;
  jobsTable: string;
  ledgerTable: string;
  agentsTable: string;
  webhookSecret: string;
  modelKeySecret: string;
  connectionSecret: (connection: string) => string;
  /** Every alarm's name starts with it, so `status` lists a stage's alarms with one DescribeAlarms prefix. */
  alarmPrefix: string;
  /** The SNS topic every alarm notifies. */
  alarmTopic: string;
  dashboard: string;
}

export function stageResources(stage: string): StageResources {
  const prefix = `zoho-gpt-mediator-${stage}`;
  return {
    stage,
    stackName: `ZohoGptMediator-${stage}`,
    workQueue: `${prefix}-work`,
    deadLetterQueue: `${prefix}-dlq`,
    jobsTable: `${prefix}-jobs`,
    ledgerTable: `${prefix}-ledger`,
    agentsTable: agentTableName(stage),
    webhookSecret: webhookSecretName(stage),
    modelKeySecret: modelKeySecretName(stage),
    connectionSecret: (connection) => connectionSecretName(stage, connection),
    alarmPrefix: `${prefix}-`,
    alarmTopic: `${prefix}-alarms`,
    dashboard: `${prefix}`,
  };
}

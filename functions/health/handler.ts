/**
 * `GET /v1/health`: a liveness answer for uptime checks and smoke tests after `cdk deploy`.
 * It touches no dependency, so it stays green while Zoho or the model are down.
 */
interface HealthResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const handler = async (): Promise<HealthResponse> => ({
  statusCode: 200,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify({
    status: "ok",
    service: "zoho-gpt-mediator",
    version: process.env.SERVICE_VERSION ?? "unknown",
  }),
});

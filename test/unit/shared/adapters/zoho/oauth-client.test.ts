/**
 * The token endpoint's answers by status first (issue 9, defect 9): a 5xx or a timeout is a passing fault of Zoho's
 * and retryable, whatever its body says; only 2xx/4xx error codes reject a grant.
 */
import { describe, expect, it } from "vitest";
import { ZohoOAuthClient, ZohoOAuthError } from "../../../../../shared/adapters/zoho/oauth-client.js";
import {
  type AppError,
  RefreshThrottledError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../../../../shared/errors.js";

const input = {
  accountsServer: "https://accounts.zoho.example",
  clientId: "1000.CLIENT",
  clientSecret: "s3cret",
  refreshToken: "1000.refresh",
};
const answer = (status: number, body: unknown) =>
  new ZohoOAuthClient({
    fetch: async () => new Response(JSON.stringify(body), { status }),
  });

describe("ZohoOAuthClient status handling", () => {
  it.each([
    [500, { error: "server_error" }],
    [502, { error: "invalid_client" }],
    [503, { error: "invalid_code" }],
    [500, "<html>oops</html>"],
  ])("a %i answer is retryable (UpstreamUnavailableError), never a rejected grant", async (status, body) => {
    const error = await answer(status, body)
      .refresh(input)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).not.toBeInstanceOf(ZohoOAuthError);
    expect((error as AppError).retryable).toBe(true);
    expect((error as UpstreamUnavailableError).status).toBe(status);
  });

  it("a timeout before the answer is an UpstreamTimeoutError", async () => {
    const client = new ZohoOAuthClient({
      timeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        ),
    });

    const error = await client.refresh(input).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as AppError).retryable).toBe(true);
  });

  it("a timeout while reading the body is an UpstreamTimeoutError too", async () => {
    const client = new ZohoOAuthClient({
      timeoutMs: 20,
      fetch: async (_url, init) =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"access_'));
              init?.signal?.addEventListener("abort", () => controller.error(init.signal?.reason));
            },
          }),
          { status: 200 },
        ),
    });

    const error = await client.refresh(input).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
  });

  it("still rejects a bad grant (HTTP 200 with an error code) as permanent", async () => {
    const error = await answer(200, { error: "invalid_code" })
      .refresh(input)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ZohoOAuthError);
    expect((error as ZohoOAuthError).code).toBe("invalid_code");
    expect((error as AppError).retryable).toBe(false);
  });

  it("a 429 is Zoho's throttle, whatever the body", async () => {
    const error = await answer(429, { message: "slow down" })
      .refresh(input)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RefreshThrottledError);
  });
});

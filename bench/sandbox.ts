/**
 * How fast the Zoho sandbox answers, so later benchmarks (ingest, worker) can tell the sandbox is not what they
 * measure. Sends N single-record CRM reads and N 10-record updates from C concurrent clients.
 */
import { startZohoSandbox } from "../infra/local/zoho-sandbox/server.js";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const requests = Number(process.env.BENCH_REQUESTS ?? 2000);
  const concurrency = 10;
  const sandbox = await startZohoSandbox({ concurrencyLimit: concurrency, creditsPerDay: 10_000_000 });
  try {
    const demo = sandbox.demo();
    const tokenRes = await fetch(`${demo.accountsUrl}/oauth/v2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: demo.clientId,
        client_secret: demo.clientSecret,
        code: sandbox.grantCode(),
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const headers = { authorization: `Zoho-oauthtoken ${token}`, "content-type": "application/json" };
    const ids = (
      (await (
        await fetch(`${demo.apiDomain}/crm/v8/Leads?fields=Email&per_page=10`, { headers })
      ).json()) as { data: { id: string }[] }
    ).data.map((d) => d.id);

    const timeAll = async (call: (i: number) => Promise<Response>) => {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            const i = next++;
            const t = performance.now();
            const res = await call(i);
            await res.arrayBuffer();
            if (res.status >= 300) throw new Error(`unexpected status ${res.status}`);
            latencies.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        per_second: Math.round(requests / seconds),
        p50_ms: +percentile(latencies, 50).toFixed(2),
        p99_ms: +percentile(latencies, 99).toFixed(2),
      };
    };
    const reads = await timeAll((i) =>
      fetch(`${demo.apiDomain}/crm/v8/Leads/${ids[i % ids.length]}`, { headers }),
    );
    const writes = await timeAll((i) =>
      fetch(`${demo.apiDomain}/crm/v8/Leads`, {
        method: "PUT",
        headers,
        body: JSON.stringify({ data: ids.map((id) => ({ id, City: `C${i}` })), trigger: [] }),
      }),
    );
    return { requests, concurrency, read: reads, write_10_records: writes };
  } finally {
    await sandbox.close();
  }
}

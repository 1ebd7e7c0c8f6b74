/** A loopback HTTP receiver that records what it is sent; stands in for the mediator's webhook URL in tests. */
import { listen, readBody } from "../../infra/local/http.js";

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startReceiver(answer: (r: Received) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const server = await listen(async (req, res) => {
    const r: Received = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: (await readBody(req)).toString("utf8"),
    };
    received.push(r);
    res.writeHead(await answer(r), { "content-type": "text/plain" });
    res.end("OK");
  });
  return { ...server, received, posts: () => received.filter((r) => r.method === "POST") };
}

// The local status page's script: polls /_status/api/* and draws what it gets. No framework, no build step.
// Every value is written as text (textContent / text nodes), never as HTML: record values and reasons are untrusted.

const POLL_MS = 1000;

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const short = (id) => (id ? String(id).slice(0, 8) : "");
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");
// Local model calls cost fractions of a cent: six decimals below a cent, else two.
const usd = (n) => {
  const v = Number(n || 0);
  return `$${v !== 0 && Math.abs(v) < 0.01 ? v.toFixed(6) : v.toFixed(2)}`;
};
/** Long text (a reason, an event's detail) cut for the table; the whole of it in the tooltip. */
const clip = (text, n = 180) => {
  const t = text === undefined || text === null ? "" : String(text);
  return t.length > n ? `${t.slice(0, n)}…` : t;
};
const num = (n) => Number(n || 0).toLocaleString();

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function fillTable(id, rows, empty) {
  const body = document.querySelector(`#${id} tbody`);
  const cols = document.querySelectorAll(`#${id} thead th`).length;
  body.replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: cols, class: "empty" }, empty))]),
  );
}

const lastCounts = {};
function drawSummary(s) {
  const list = document.getElementById("stages");
  list.replaceChildren(
    ...s.stages.map(({ stage, count }) => {
      const moved = lastCounts[stage] !== undefined && lastCounts[stage] !== count;
      lastCounts[stage] = count;
      return el(
        "li",
        { class: `${stage}${moved ? " bump" : ""}`, "data-stage": stage },
        el("span", { class: "n" }, num(count)),
        el("span", { class: "name" }, stage),
      );
    }),
  );
  const q = s.queues;
  document.getElementById("queues").textContent =
    `work queue: ${q.work} waiting, ${q.workInFlight} in flight · dead-letter queue: ${q.deadLetter}`;
  fillTable(
    "events",
    s.events.map((e) =>
      el(
        "tr",
        { "data-stage": e.stage },
        el("td", {}, time(e.at)),
        el("td", {}, e.stage),
        el("td", { class: "mono", title: e.jobId }, short(e.jobId)),
        el("td", {}, e.useCase),
        el("td", {}, e.subject),
        el("td", { class: "wrap", title: e.detail }, clip(e.detail, 120)),
      ),
    ),
    "No events yet: send one (npx zoho-gpt-mediator send lead).",
  );
}

function drawJobs(j) {
  const box = document.getElementById("jobs");
  if (!j.jobs.length) {
    box.replaceChildren(el("p", { class: "empty" }, "No jobs yet."));
    return;
  }
  box.replaceChildren(
    ...j.jobs.map((job) => {
      const a = job.audit;
      return el(
        "article",
        { class: "job", "data-job-id": job.jobId, "data-status": job.status },
        el(
          "h3",
          {},
          el("span", { class: "mono", title: job.jobId }, short(job.jobId)),
          el("span", {}, job.useCase || ""),
          el("span", { class: "muted" }, job.subject || ""),
          el("span", { class: `badge ${job.status}` }, job.status === "done" ? "written" : job.status),
        ),
        el(
          "dl",
          {},
          job.reason ? [el("dt", {}, "reason"), el("dd", { class: "reason" }, job.reason)] : [],
          job.written.length
            ? [
                el("dt", {}, "written"),
                el(
                  "dd",
                  { class: "written" },
                  el(
                    "table",
                    {},
                    el(
                      "tbody",
                      {},
                      job.written.map((w) =>
                        el(
                          "tr",
                          { "data-field": w.field },
                          el("td", { class: "mono" }, w.field),
                          el("td", { class: "wrap" }, w.value ?? ""),
                        ),
                      ),
                    ),
                  ),
                ),
              ]
            : [],
          a
            ? [
                el("dt", {}, "audit"),
                el(
                  "dd",
                  { class: "audit" },
                  `model ${a.model} · prompt ${a.promptVersion} · ${num(a.promptTokens)} + ${num(a.completionTokens)} tokens`,
                  a.costUsd !== undefined ? ` · ${usd(a.costUsd)}` : "",
                  a.mappings.length ? ` · mappings ${a.mappings.join(", ")}` : "",
                ),
              ]
            : [],
          job.notes.length
            ? [
                el("dt", {}, "audit note"),
                el(
                  "dd",
                  { class: "notes" },
                  job.notes.map((n) =>
                    el("div", { class: "note" }, n.title ? `${n.title}\n` : "", n.content),
                  ),
                ),
              ]
            : [],
          el("dt", {}, "last event"),
          el("dd", {}, `${job.lastStage} at ${time(job.updatedAt)}`),
        ),
      );
    }),
  );
}

async function replay(jobId, button) {
  button.disabled = true;
  const result = document.getElementById("replay-result");
  try {
    const res = await fetch("/_status/api/replay", {
      method: "POST",
      headers: { "content-type": "application/json", "x-status-page": "replay" },
      body: JSON.stringify({ jobId }),
    });
    const body = await res.json();
    result.textContent = res.ok
      ? `Replayed ${body.replayed} dead letter(s) of job ${short(jobId)}: it runs once more.`
      : `Replay refused (${res.status}): ${body.message}`;
  } catch (error) {
    result.textContent = `Replay failed: ${error.message}`;
    button.disabled = false;
  }
  refresh();
}

function drawDeadLetters(d) {
  fillTable(
    "dead-letters",
    d.deadLetters.map((l) =>
      el(
        "tr",
        { "data-job-id": l.jobId },
        el("td", { class: "mono", title: l.jobId }, short(l.jobId)),
        el("td", {}, l.useCase),
        el("td", {}, l.subject),
        el("td", { class: "wrap reason", title: l.reason }, clip(l.reason) || "(no reason recorded)"),
        el("td", {}, time(l.failedAt)),
        el(
          "td",
          {},
          l.jobId
            ? el("button", { type: "button", onclick: (e) => replay(l.jobId, e.currentTarget) }, "Replay")
            : "",
        ),
      ),
    ),
    "No dead letters.",
  );
}

function drawCosts(c) {
  fillTable(
    "costs",
    c.rows.map((r) =>
      el(
        "tr",
        {},
        el("td", {}, r.day),
        el("td", {}, r.useCase),
        el("td", {}, num(r.calls)),
        el("td", {}, num(r.promptTokens)),
        el("td", {}, num(r.completionTokens)),
        el("td", {}, usd(r.costUsd)),
      ),
    ),
    c.available ? "No model calls recorded yet." : "The ledger needs DynamoDB (LOCAL_DYNAMODB=on).",
  );
  document.getElementById("costs-total").textContent = c.rows.length ? `total ${usd(c.totalUsd)}` : "";
}

function drawSandbox(s) {
  const box = document.getElementById("sandbox");
  if (!s.available) {
    box.replaceChildren(el("p", { class: "empty" }, "A real Zoho org is connected: no sandbox to inspect."));
    return;
  }
  const counts = Object.entries(s.counts).map(([k, v]) => `${k.replaceAll("_", " ")} ${num(v)}`);
  box.replaceChildren(
    el("p", { class: "muted" }, `${s.url} · ${counts.join(" · ")} · webhooks fired ${num(s.webhooksFired)}`),
    el(
      "table",
      { id: "sandbox-writes" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Time", "Service", "Module", "Operation", "Records", "Fields", "Source"].map((h) =>
            el("th", {}, h),
          ),
        ),
      ),
      el(
        "tbody",
        {},
        s.writes.length
          ? s.writes.map((w) =>
              el(
                "tr",
                {},
                el("td", {}, w.time),
                el("td", {}, w.service),
                el("td", {}, w.module),
                el("td", {}, w.operation),
                el("td", { class: "mono wrap" }, (w.ids || []).join(", ")),
                el(
                  "td",
                  { class: "wrap" },
                  (w.fields || []).map((f) => (Array.isArray(f) ? f.join(", ") : f)).join(" | "),
                ),
                el("td", {}, w.source),
              ),
            )
          : el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No writes yet.")),
      ),
    ),
    s.webhookFailures ? el("p", { class: "muted" }, `${s.webhookFailures} webhook delivery failure(s)`) : "",
  );
}

let busy = false;
async function refresh() {
  if (busy) return;
  busy = true;
  try {
    const [summary, jobs, dead, costs, sandbox] = await Promise.all([
      getJson("/_status/api/summary"),
      getJson("/_status/api/jobs"),
      getJson("/_status/api/dead-letters"),
      getJson("/_status/api/costs"),
      getJson("/_status/api/sandbox"),
    ]);
    drawSummary(summary);
    drawJobs(jobs);
    drawDeadLetters(dead);
    drawCosts(costs);
    drawSandbox(sandbox);
    document.getElementById("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    document.getElementById("updated").textContent =
      `cannot reach the local stack (${error.message}); retrying`;
  } finally {
    busy = false;
  }
}

refresh();
setInterval(refresh, POLL_MS);

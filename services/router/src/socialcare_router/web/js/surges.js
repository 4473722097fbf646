// Surges in the supervisor's view: incidents (a brand's or intent's rate far above its
// usual rate for the hour) with their rate curve, and today's clusters of near-duplicate
// messages, each answerable with one reply that goes to every customer in it personally.

import { api } from "./api.js";
import { attempt, h, replace, toast } from "./dom.js";
import { percent } from "./format.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// Messages per minute as a line, the usual rate as a dashed line under it.
function rateCurve(incident) {
  const points = incident.curve ?? [];
  const width = 420;
  const height = 90;
  const top = Math.max(1, incident.baseline_per_minute, ...points.map((p) => p.messages));
  const x = (i) => (points.length < 2 ? 0 : (i / (points.length - 1)) * width);
  const y = (v) => height - 4 - (v / top) * (height - 10);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", height: 120,
    preserveAspectRatio: "none", role: "img",
    "aria-label": `Messages per minute for ${incident.brand_account}: peak ${incident.peak_per_minute.toFixed(1)}, usual ${incident.baseline_per_minute.toFixed(1)}` });
  chart.append(
    svg("line", { x1: 0, x2: width, y1: y(incident.baseline_per_minute), y2: y(incident.baseline_per_minute), class: "baseline" }),
    svg("polyline", { points: points.map((p, i) => `${x(i)},${y(p.messages)}`).join(" "), class: "rate" }));
  return h("figure", { class: "chart rate-curve" },
    h("figcaption", {}, `${incident.brand_account}: messages per minute (dashed: the usual rate)`),
    chart);
}

function incidentsTable(incidents) {
  return h("table", { id: "incidents" }, h("caption", {}, "Incidents"),
    h("thead", {}, h("tr", {}, ["brand", "intent", "status", "per minute", "usual", "peak", "negative", "opened"]
      .map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, incidents.length ? incidents.map((i) => h("tr", { class: i.status },
      h("th", { scope: "row" }, i.brand_account), h("td", {}, i.intent === "*" ? "all" : i.intent),
      h("td", {}, i.status), h("td", {}, i.per_minute.toFixed(1)), h("td", {}, i.baseline_per_minute.toFixed(1)),
      h("td", {}, i.peak_per_minute.toFixed(1)), h("td", {}, percent(i.negative_share)),
      h("td", {}, new Date(i.opened_at).toLocaleString())))
      : h("tr", {}, h("td", { colspan: 8 }, "No surge: every brand is at its usual rate."))));
}

function answerForm(cluster, done) {
  const text = h("textarea", { rows: 3, maxlength: 10000, required: true,
    "aria-label": `Reply to the ${cluster.size} customers of this cluster`,
    placeholder: "Hi {customer_name}, … ({customer_name} and your signature are filled in for each customer)" });
  const status = h("p", { class: "hint", role: "status" });
  const form = h("form", { class: "cluster-answer", onsubmit: (event) => {
    event.preventDefault();
    attempt(async () => {
      const sent = await api(`/v1/clusters/${encodeURIComponent(cluster.id)}/replies`,
        { method: "POST", body: { text: text.value } });
      toast(`${sent.queued} replies queued`);
      done();
    }, "bulk reply");
  } }, text, status, h("button", { type: "submit" }, "Answer everyone"));
  // The preview reads every conversation of the cluster: only when someone opens the form.
  form.preview = () => attempt(async () => {
    const preview = await api(`/v1/clusters/${encodeURIComponent(cluster.id)}`);
    const out = Object.entries(preview.left_out).map(([why, n]) => `${n} ${why.replaceAll("_", " ")}`);
    replace(status, preview.will_reply.map((p) => `${p.replies} on ${p.platform} (about ${p.minutes_to_send} min within its ${p.quota === "advertised" ? "advertised" : "usual"} limits)`).join(", ") || "Nobody left to answer",
      out.length ? `; left out: ${out.join(", ")}` : "");
  }, "preview");
  return form;
}

function answerDetails(cluster, again) {
  const form = answerForm(cluster, again);
  const details = h("details", { ontoggle: () => { if (details.open) form.preview(); } },
    h("summary", {}, "Answer them all"), form);
  return details;
}

function clusterList(clusters, again) {
  return h("section", { id: "clusters", "aria-label": "Clusters" }, h("h3", {}, "Same question, many customers"),
    clusters.length ? h("ol", { class: "clusters" }, clusters.map((c) => h("li", {},
      h("p", {}, h("strong", {}, `${c.size} messages`), ` · ${c.brand_account} · ${c.intent} · since ${new Date(c.first_at).toLocaleTimeString()}`),
      h("ul", { class: "samples" }, c.samples.map((s) => h("li", {}, s))),
      answerDetails(c, again))))
      : h("p", { class: "hint" }, "No cluster today."));
}

export async function surgesPanel(again) {
  const [incidents, clusters] = await Promise.all([api("/v1/incidents?limit=10"), api("/v1/clusters?limit=10")]);
  // The curve is the brand's volume: one per brand with an incident open (at most two).
  const open = incidents.filter((i) => i.status === "open" && i.intent === "*");
  const curves = await Promise.all(open.slice(0, 2).map((i) => api(`/v1/incidents/${encodeURIComponent(i.id)}`)));
  return h("div", { class: "surges" }, incidentsTable(incidents), clusterList(clusters, again), curves.map(rateCurve));
}

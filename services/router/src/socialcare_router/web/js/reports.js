// The supervisor's view: queue depth and risk, agents' presence and load, and the care
// reports as charts with a CSV download. It refreshes itself from the live feed.

import { api, query, saveAs } from "./api.js";
import { barChart } from "./charts.js";
import { correctionsPanel } from "./corrections.js";
import { surgesPanel } from "./surges.js";
import { attempt, h, replace, throttle } from "./dom.js";
import { duration, percent } from "./format.js";

const PERIODS = [["Last 24 hours", 1], ["Last 7 days", 7], ["Last 30 days", 30]];
const DAY = 86400e3;
let mounted = false;
let days = 1;

function period(d = days, end = Date.now() + 60e3) {
  return { start: new Date(end - d * DAY).toISOString(), end: new Date(end).toISOString() };
}

function table(caption, columns, rows) {
  return h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell)))))));
}

function figures(overall) {
  const items = [
    ["Conversations", overall.conversations, "figure-conversations"],
    ["First response, median", duration(overall.first_response_median_s)],
    ["First response, p90", duration(overall.first_response_p90_s)],
    ["Answered within 1 h", percent(overall.answered_within_1h), "figure-1h"],
    ["Answered within 24 h", percent(overall.answered_within_24h)],
    ["SLA attainment", percent(overall.sla_attainment)],
    ["SLA breached", overall.sla_breached],
  ];
  return h("dl", { class: "figures" }, items.map(([label, value, id]) =>
    h("div", {}, h("dt", {}, label), h("dd", { id }, String(value)))));
}

let slaCache = { key: null, at: 0, bars: [] };

// Daily reports cost one query each: live refreshes reuse them for a minute.
async function slaOverTime(fresh) {
  if (!fresh && slaCache.key === days && Date.now() - slaCache.at < 60e3) return slaCache.bars;
  slaCache = { key: days, at: Date.now(), bars: await slaDays() };
  return slaCache.bars;
}

async function slaDays() {
  // One report per day of the period (at most 14 bars), oldest first.
  const n = Math.min(days === 1 ? 7 : days, 14);
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const ends = Array.from({ length: n }, (_, i) => today.getTime() + DAY * (1 - (n - 1 - i)));
  const reports = await Promise.all(ends.map((end) =>
    api(`/v1/reports${query({ start: new Date(end - DAY).toISOString(), end: new Date(end).toISOString() })}`)));
  return reports.map((r, i) => [new Date(ends[i] - DAY).toISOString().slice(5, 10), r.overall.sla_attainment]);
}

function download() {
  return saveAs(`/v1/reports${query({ ...period(), format: "csv" })}`, `socialcare-report-${days}d.csv`);
}

async function refresh(section, fresh = true) {
  const again = () => attempt(() => refresh(section), "reports");
  const [queues, agents, report, sla, surges, corrections] = await Promise.all([
    api("/v1/queue-overview"), api("/v1/agents"), api(`/v1/reports${query(period())}`), slaOverTime(fresh),
    surgesPanel(again), correctionsPanel()]);
  const volume = report.volume;
  const pct = (v) => percent(v);
  // A bulk reply being written is not thrown away by a live refresh.
  if (section.querySelector(".cluster-answer textarea:focus, .cluster-answer textarea:not(:placeholder-shown)")) return;
  replace(section.querySelector(".board"),
    surges,
    h("div", { class: "tables" },
      table("Queues", ["queue", "open", "unassigned", "at risk", "breached"],
        queues.map((q) => [q.queue, q.open, q.unassigned, q.at_risk, q.breached])),
      table("Agents", ["agent", "role", "presence", "load"],
        agents.map((a) => [a.name ?? a.id, a.role ?? "", a.presence ?? "", `${a.load ?? 0} / ${a.capacity ?? "—"}`]))),
    h("h3", {}, "Care report"),
    figures(report.overall),
    h("div", { class: "charts" },
      barChart("First response time", Object.entries(report.first_response_distribution ?? {}), { id: "chart-first-response" }),
      barChart("Answered within", [["1 hour", report.overall.answered_within_1h], ["24 hours", report.overall.answered_within_24h]], { format: pct, max: 1 }),
      barChart("SLA attainment by day", sla, { format: pct, max: 1 }),
      barChart("Volume by hour", Object.entries(volume.hour ?? {})),
      barChart("Volume by platform", Object.entries(volume.platform ?? {})),
      barChart("Volume by intent", Object.entries(volume.intent ?? {})),
      barChart("Volume by sentiment", Object.entries(volume.sentiment ?? {}))),
    corrections);
}

export function mountSupervisor(section, ctx) {
  if (!mounted) {
    mounted = true;
    const select = h("select", { id: "report-period", onchange: () => { days = Number(select.value); again(); } },
      PERIODS.map(([label, d]) => h("option", { value: d }, label)));
    const again = () => attempt(() => refresh(section), "reports");
    replace(section,
      h("header", { class: "section-head" }, h("h2", {}, "Supervisor"),
        h("label", { class: "inline" }, "Period ", select),
        h("button", { type: "button", id: "download-csv", onclick: () => attempt(download, "CSV") }, "Download CSV"),
        h("button", { type: "button", onclick: again }, "Refresh")),
      h("div", { class: "board" }, h("p", {}, "Loading…")));
    const soon = throttle(() => {
      if (!section.hidden) attempt(() => refresh(section, false), "reports");
    }, 3000);
    ctx.onLive(soon);
  }
  attempt(() => refresh(section), "reports");
}

// How times, platforms and shares read on the page.

export const PLATFORMS = { x: "X", facebook: "Facebook", instagram: "Instagram", api: "API" };
const AT_RISK_S = 15 * 60;

function clock(seconds) {
  const s = Math.floor(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}:${two(mm)}:${two(ss)}`;
  return `${mm}:${two(ss)}`;
}

// The deadline countdown: its text and state (ok, at-risk, breached, answered).
export function deadline(dueIso, answeredIso, escalation, now = Date.now()) {
  if (answeredIso) return { text: "answered", state: "answered" };
  const left = (Date.parse(dueIso) - now) / 1000;
  if (left < 0 || escalation === "breached") {
    return { text: `${clock(left)} overdue`, state: "breached" };
  }
  if (left < AT_RISK_S || escalation === "at_risk") {
    return { text: `due in ${clock(left)}`, state: "at-risk" };
  }
  return { text: `due in ${clock(left)}`, state: "ok" };
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export const percent = (share) =>
  share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");

export const customerName = (customer = {}) =>
  customer.display_name || (customer.handle ? `@${customer.handle}` : customer.id || "customer");

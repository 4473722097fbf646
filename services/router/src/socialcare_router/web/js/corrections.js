// Agents' corrections in the supervisor's view: the newest of your brands, what the
// classifier said and what the agent set, and exports that `train-sentiment --data` reads.

import { api, saveAs } from "./api.js";
import { attempt, h } from "./dom.js";
import { when } from "./format.js";

const SHOWN = 20;

function labels(values, names) {
  return names.filter((n) => values[n] !== undefined && values[n] !== null)
    .map((n) => `${n} ${Array.isArray(values[n]) ? values[n].join(", ") || "none" : values[n]}`).join("; ");
}

export async function correctionsPanel() {
  let items = [];
  try {
    items = await api(`/v1/corrections?limit=${SHOWN}`);
  } catch {
    return null;  // an inbox without corrections: the rest of the board still shows
  }
  const exportAs = (format) => attempt(() => saveAs(`/v1/corrections/export?format=${format}`,
    `corrections.${format}`), "export");
  return h("section", { class: "corrections", "aria-labelledby": "corrections-title" },
    h("h3", { id: "corrections-title" }, "Agents' corrections"),
    h("p", { class: "actions" },
      h("button", { type: "button", id: "export-corrections-csv", onclick: () => exportAs("csv") }, "Export CSV"),
      h("button", { type: "button", id: "export-corrections-jsonl", onclick: () => exportAs("jsonl") }, "Export JSONL"),
      h("span", { class: "hint" }, " for python -m socialcare_classifier train-sentiment --data FILE --brand BRAND")),
    items.length === 0 ? h("p", { class: "hint" }, "No corrections yet.") : h("table", {},
      h("caption", {}, `The ${SHOWN} newest`),
      h("thead", {}, h("tr", {}, ["when", "agent", "brand", "message", "classifier", "corrected"].map(
        (c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((c) => h("tr", {},
        h("th", { scope: "row" }, when(c.corrected_at)), h("td", {}, c.corrected_by), h("td", {}, c.brand_account),
        h("td", { class: "text" }, c.text.length > 80 ? `${c.text.slice(0, 80)}…` : c.text),
        h("td", {}, labels(c.original, Object.keys(c.labels))),
        h("td", {}, labels(c.labels, Object.keys(c.labels))))))));
}

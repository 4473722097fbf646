// Management pages for supervisors: saved replies, routing rules, queues, SLA policies and
// business hours, listening keywords. Each edit is one API call; the API validates and
// answers with the reason.

import { api, del, put } from "./api.js";
import { attempt, h, replace, toast } from "./dom.js";

let mounted = false;
const pretty = (value) => JSON.stringify(value, null, 2);

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${error.message}`);
  }
}

async function savedReplies(box) {
  const list = await api("/v1/saved-replies");
  const name = h("input", { id: "sr-name", required: true, pattern: "[A-Za-z0-9_.\\-]+", size: 14 });
  const title = h("input", { id: "sr-title", required: true, size: 24 });
  const text = h("textarea", { id: "sr-text", rows: 3, required: true });
  const edit = (s) => { name.value = s.id; title.value = s.title; text.value = s.text; title.focus(); };
  replace(box, h("h3", {}, "Saved replies"),
    h("p", { class: "hint" }, "Variables: {customer_name}, {agent_name}, {agent_initials}, or any {name} the agent fills in."),
    h("table", {}, h("caption", { class: "sr-only" }, "Saved replies"),
      h("thead", {}, h("tr", {}, ["name", "title", "text", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, list.map((s) => h("tr", {}, h("th", { scope: "row" }, s.id), h("td", {}, s.title), h("td", {}, s.text),
        h("td", {}, h("button", { type: "button", onclick: () => edit(s) }, "Edit"), " ",
          h("button", { type: "button", onclick: () => attempt(async () => { await del(`/v1/saved-replies/${encodeURIComponent(s.id)}`); savedReplies(box); }, "delete") }, "Delete")))))),
    h("form", { class: "stack", onsubmit: (ev) => {
      ev.preventDefault();
      attempt(async () => {
        await put(`/v1/saved-replies/${encodeURIComponent(name.value)}`, { title: title.value, text: text.value });
        toast(`Saved reply ${name.value} saved`);
        savedReplies(box);
      }, "saved reply");
    } },
      h("label", { for: "sr-name" }, "Name"), name, h("label", { for: "sr-title" }, "Title"), title,
      h("label", { for: "sr-text" }, "Text"), text, h("button", { type: "submit" }, "Save saved reply")));
}

async function routingRules(box) {
  const current = await api("/v1/routing-rules");
  const text = h("textarea", { id: "rules-json", rows: 12, class: "code", spellcheck: "false" });
  text.value = pretty(current.rules);
  replace(box, h("h3", {}, "Routing rules"),
    h("p", { class: "hint" }, `Version ${current.version}. Evaluated in order, the first match wins; workers apply a change within seconds.`),
    h("form", { class: "stack", onsubmit: (ev) => {
      ev.preventDefault();
      attempt(async () => {
        const saved = await put("/v1/routing-rules", { rules: parseJson(text.value, "The rules"), expected_version: current.version });
        toast(`Routing rules saved (version ${saved.version})`);
        routingRules(box);
      }, "routing rules");
    } }, h("label", { for: "rules-json" }, "Rules (JSON)"), text, h("button", { type: "submit" }, "Save rules")));
}

const withoutId = ({ id: _ignored, ...fields }) => fields;

// Queues, SLA policies, listening rule sets: named JSON documents, edited one at a time.
async function named(box, options) {
  const { title, path, id, example, hint, fieldsOf = withoutId, describe } = options;
  const docs = await api(path);
  const key = h("input", { id: `${id}-key`, required: true, size: 16 });
  const text = h("textarea", { id: `${id}-json`, rows: 10, class: "code", spellcheck: "false" });
  const about = h("p", { class: "hint", id: `${id}-about` });
  const choose = (doc) => {
    key.value = doc?.id ?? "";
    text.value = pretty(doc ? fieldsOf(doc) : example);
    about.textContent = doc && describe ? describe(doc) : "";
  };
  choose(docs[0]);
  replace(box, h("h3", {}, title), h("p", { class: "hint" }, hint),
    h("p", {}, docs.length ? docs.map((d) => h("button", { type: "button", class: "quiet", onclick: () => choose(d) }, d.id)) : "none yet",
      " ", h("button", { type: "button", class: "quiet", onclick: () => choose(null) }, "new…")),
    h("form", { class: "stack", onsubmit: (ev) => {
      ev.preventDefault();
      attempt(async () => {
        await put(`${path}/${encodeURIComponent(key.value)}`, parseJson(text.value, title));
        toast(`${title}: ${key.value} saved`);
        named(box, options);
      }, title);
    } },
      h("label", { for: `${id}-key` }, "Name"), key,
      h("label", { for: `${id}-json` }, "Settings (JSON)"), text, about,
      h("span", {}, h("button", { type: "submit" }, "Save"), " ",
        h("button", { type: "button", onclick: () => attempt(async () => {
          await del(`${path}/${encodeURIComponent(key.value)}`);
          toast(`${title}: ${key.value} deleted`);
          named(box, options);
        }, title) }, "Delete"))));
}

export function mountManage(section) {
  if (mounted) return;
  mounted = true;
  const boxes = ["saved", "rules", "queues", "sla", "listening"].map((name) => h("section", { class: "card", id: `manage-${name}` }));
  replace(section, h("header", { class: "section-head" }, h("h2", {}, "Manage")), h("div", { class: "cards" }, boxes));
  const [saved, rules, queues, sla, listening] = boxes;
  attempt(() => savedReplies(saved), "saved replies");
  attempt(() => routingRules(rules), "routing rules");
  attempt(() => named(queues, { title: "Queues", path: "/v1/queues", id: "queue", hint: "Assignment policy round_robin, least_loaded or manual; the agents serving it; its escalation queue.",
    example: { policy: "least_loaded", agents: [], escalation_queue: "escalations" } }), "queues");
  attempt(() => named(sla, { title: "SLA policies and business hours", path: "/v1/sla-policies", id: "sla", hint: "Per brand account (* is the default): time zone, weekly hours, holidays, targets in minutes.",
    example: { timezone: "UTC", weekly: { mon: ["09:00", "17:00"], tue: ["09:00", "17:00"], wed: ["09:00", "17:00"], thu: ["09:00", "17:00"], fri: ["09:00", "17:00"] },
      holidays: [], in_hours_minutes: 60, after_hours_minutes: 720 } }), "SLA policies");
  attempt(() => named(listening, { title: "Listening keywords", path: "/v1/listening-rules", id: "listening",
    hint: "What the X listening poller searches for, per rule set: brand names, abbreviations, common misspellings, product and industry keywords, exclusions.",
    fieldsOf: (doc) => doc.rules, describe: (doc) => `X query: ${doc.query}`,
    example: { brand_account: "acmeshop", brand_names: ["Acme Shop"], handles: ["acmeshop"], abbreviations: ["ACME"],
      misspellings: ["acmee", "acme shp"], product_keywords: ["order status", "shipping"], industry_keywords: [], exclusions: [] } }), "listening keywords");
}

// Correcting a customer message's labels from the keyboard: focus a message (Tab; none
// focused means the latest customer message), then `s` and `n` / `u` / `p` for sentiment,
// or `i`, `l`, `b` for a small picker of intents, language or brand category. Each
// correction is a labelled example for the brand's own model (PATCH /v1/messages/{id}/labels).

import { patch } from "./api.js";
import { attempt, h, replace, toast } from "./dom.js";
import { when } from "./format.js";

const SENTIMENT_KEYS = { n: "negative", u: "neutral", p: "positive" };
const PICKER_KEYS = { i: "intents", l: "language", b: "category" };
const LANGUAGES = ["en", "es", "fr", "de", "pt", "pt-BR", "it", "nl", "ca", "sv", "pl", "tr",
  "ru", "uk", "ar", "ko", "ja", "zh", "el", "he", "th", "hu", "fa", "und"];
let pending = null;  // "s" after the first key of a sentiment correction
let picker = null;

// The message a key acts on: the focused customer message, else the latest one shown.
function target() {
  const focused = document.activeElement?.closest?.("#conversation .message.inbound[data-message-id]");
  return focused ?? [...document.querySelectorAll("#conversation .message.inbound[data-message-id]")].at(-1) ?? null;
}

async function correct(el, labels, ctx) {
  const done = await attempt(() => patch(`/v1/messages/${encodeURIComponent(el.dataset.messageId)}/labels`, labels),
    "correction");
  if (!done) return;
  const said = Object.entries(labels).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(", ") || "none" : v}`);
  toast(`Corrected: ${said.join("; ")}. Thanks, it teaches the classifier.`);
  ctx.reload();
}

function buildPicker() {
  const form = h("form", { method: "dialog", id: "label-form" });
  const dialog = h("dialog", { id: "label-picker", "aria-labelledby": "label-picker-title" },
    h("h2", { id: "label-picker-title" }, "Correct the message's labels"), form);
  document.body.append(dialog);
  return { dialog, form };
}

// The picker shows one field; Enter (or Save) stores it, Escape leaves everything as it was.
function openPicker(el, field, ctx) {
  picker ??= buildPicker();
  const current = JSON.parse(el.dataset.labels || "{}");
  let read;
  let input;
  if (field === "intents") {
    const boxes = ctx.intents.map((intent) => h("input", { type: "checkbox", name: "intent", value: intent,
      checked: (current.intents ?? []).includes(intent) }));
    input = h("fieldset", { class: "intent-choices" }, h("legend", {}, "Intents"),
      boxes.map((box) => h("label", { class: "inline" }, box, ` ${box.value}`)));
    read = () => boxes.filter((b) => b.checked).map((b) => b.value);
  } else {
    const text = h("input", { id: "label-value", name: field, value: current[field] ?? "", required: true,
      maxlength: field === "language" ? 35 : 64, list: field === "language" ? "label-languages" : undefined,
      autocomplete: "off" });
    input = h("label", { for: "label-value" }, field === "language" ? "Language (BCP 47: en, pt-BR, und)" : "Brand category");
    input = [input, text, field === "language" && h("datalist", { id: "label-languages" },
      LANGUAGES.map((l) => h("option", { value: l })))];
    read = () => text.value.trim();
  }
  replace(picker.form, input,
    h("p", { class: "actions" }, h("button", { type: "submit", value: "save" }, "Save"),
      h("button", { type: "button", onclick: () => picker.dialog.close("cancel") }, "Cancel")));
  picker.form.onsubmit = (event) => {
    event.preventDefault();
    const value = read();
    picker.dialog.close("save");
    el.focus();
    correct(el, { [field]: value }, ctx);
  };
  picker.dialog.showModal();
  picker.form.querySelector("input")?.focus();
}

// Returns true when the key was a label correction's (the page's other shortcuts skip it).
export function labelKeys(event, ctx) {
  if (pending === "s") {
    pending = null;
    const el = target();
    const sentiment = SENTIMENT_KEYS[event.key];
    if (el && sentiment) correct(el, { sentiment }, ctx);
    else toast("Sentiment not corrected: s then n, u or p");
    return true;
  }
  if (!document.querySelector("#conversation .message.inbound[data-message-id]")) return false;
  if (event.key === "s") {
    pending = "s";
    toast("Sentiment: n negative, u neutral, p positive");
    return true;
  }
  if (PICKER_KEYS[event.key]) {
    const el = target();
    if (el) openPicker(el, PICKER_KEYS[event.key], ctx);
    return Boolean(el);
  }
  return false;
}

// The "why" rows of a customer message: the stage that decided each label (whatever
// decided_by holds, a later stage's keys included) and an agent's correction, if any.
export function decidedRows(classification, correction) {
  const decided = classification.decided_by ?? {};
  const rows = [["Decided by", Object.keys(decided).length
    ? Object.entries(decided).map(([label, stage]) => `${label}: ${stage}`).join("; ") + "; the rest: rules"
    : "rules"]];
  if (correction) {
    const changed = Object.entries(correction.labels)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(", ") || "none" : v}`);
    rows.push(["Corrected by agent", `${changed.join("; ")} (by ${correction.corrected_by}, ${when(correction.corrected_at)})`]);
  }
  return rows;
}

// What a message's labels are now, for the picker to start from.
export function labelsOf(classification, correction) {
  const categories = classification.categories ?? [];
  return { sentiment: classification.sentiment?.label, intents: classification.intents ?? [],
    language: classification.language, category: categories[0] ?? "", ...(correction?.effective ?? {}) };
}

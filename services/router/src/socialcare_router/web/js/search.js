// Search across every conversation and message of the signed-in user's brands
// (GET /v1/search). While a query is typed its results take the list's place; clearing the
// box brings the queue back. The query goes in a request, never into the page's URL.

import { api, query } from "./api.js";
import { h, replace } from "./dom.js";
import { when } from "./format.js";
import { conversationRow } from "./list.js";

export const RESULT_LIMIT = 50;

// The snippet with its matching words in <mark>, from text nodes only. The API counts
// offsets in code points, so the text is sliced as code points (an emoji is one).
export function marked(snippet, highlights) {
  const chars = Array.from(snippet);
  const parts = [];
  let at = 0;
  for (const [start, end] of highlights) {
    if (start < at) continue;
    parts.push(chars.slice(at, start).join(""), h("mark", {}, chars.slice(start, end).join("")));
    at = end;
  }
  parts.push(chars.slice(at).join(""));
  return parts;
}

// { words, items }: the words the server searched for (none when q holds no letter or digit).
export async function searchAll(q) {
  return api(`/v1/search${query({ q, limit: RESULT_LIMIT })}`);
}

function result(item, selected, onOpen) {
  const customer = { handle: item.customer_handle, display_name: item.customer_name };
  return conversationRow({ ...item, customer }, selected, onOpen,
    [h("span", { class: "chip" }, item.status.replaceAll("_", " ")),
      h("time", { class: "when", datetime: item.message_at }, when(item.message_at))],
    h("span", { class: "snippet" }, marked(item.snippet, item.highlights)),
    h("span", { class: "chip", title: "brand account" }, item.brand_account));
}

export function renderResults(ol, items, { selectedId, onOpen }) {
  replace(ol, items.map((item) => result(item, item.id === selectedId, onOpen)));
  return items;
}

export function resultCount(n, words) {
  if (words.length === 0) return "Type letters or digits to search";
  if (n === 0) return "No conversation matches your search";
  const newest = n >= RESULT_LIMIT ? ` (the newest ${RESULT_LIMIT})` : "";
  return `${n} conversation${n === 1 ? "" : "s"} match${n === 1 ? "es" : ""} your search${newest}`;
}

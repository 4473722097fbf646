// The conversation list: one stream across platforms, due soonest first, with live countdowns.

import { h, replace } from "./dom.js";
import { customerName, deadline, PLATFORMS } from "./format.js";

export function countdown(conversation) {
  return h("span", {
    class: "due",
    dataset: {
      due: conversation.first_response_due_at,
      answered: conversation.first_response_at ?? "",
      escalation: conversation.escalation ?? "",
    },
  });
}

// Refreshes every countdown under root; called once a second.
export function tick(root = document) {
  for (const el of root.querySelectorAll(".due[data-due]")) {
    const { text, state } = deadline(el.dataset.due, el.dataset.answered, el.dataset.escalation);
    if (el.textContent !== text) el.textContent = text;
    if (el.dataset.state !== state) el.dataset.state = state;
  }
}

function matches(conversation, search) {
  if (!search) return true;
  const words = search.toLowerCase();
  const c = conversation.customer ?? {};
  return [c.handle, c.display_name, conversation.first_words, ...(conversation.tags ?? [])]
    .some((field) => field && field.toLowerCase().includes(words));
}

function row(conversation, selected, onOpen) {
  const chips = [
    conversation.language && h("span", { class: "chip", title: "language" }, conversation.language),
    conversation.sentiment && h("span", { class: `chip sentiment-${conversation.sentiment}` }, conversation.sentiment),
    ...(conversation.intents ?? []).map((i) => h("span", { class: "chip intent" }, i.replaceAll("_", " "))),
    conversation.private_data && h("span", { class: "chip warn" }, "private data"),
  ];
  return h("li", {},
    h("button", {
      type: "button", class: "row", "aria-current": selected ? "true" : undefined,
      dataset: { id: conversation.id }, onclick: () => onOpen(conversation.id),
    },
      h("span", { class: "row-head" },
        h("span", { class: `platform platform-${conversation.platform}` }, PLATFORMS[conversation.platform] ?? conversation.platform),
        h("strong", { class: "customer" }, customerName(conversation.customer)),
        h("span", { class: "priority", title: "priority" }, `P${conversation.priority}`),
        countdown(conversation)),
      h("span", { class: "first-words" }, conversation.first_words ?? ""),
      h("span", { class: "chips" }, chips,
        conversation.assignee && h("span", { class: "chip assignee" }, `assigned: ${conversation.assignee}`))));
}

export function renderList(ol, items, { selectedId, search, onOpen }) {
  const shown = items.filter((c) => matches(c, search));
  replace(ol, shown.map((c) => row(c, c.id === selectedId, onOpen)));
  tick(ol);
  return shown;
}

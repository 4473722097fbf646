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

// One row of a list of conversations (queues or search results): opens it when chosen.
export function conversationRow({ id, platform, customer }, selected, onOpen, tail, body, chips) {
  return h("li", {},
    h("button", {
      type: "button", class: "row", "aria-current": selected ? "true" : undefined,
      dataset: { id }, onclick: () => onOpen(id),
    },
      h("span", { class: "row-head" },
        h("span", { class: `platform platform-${platform}` }, PLATFORMS[platform] ?? platform),
        h("strong", { class: "customer" }, customerName(customer)),
        tail),
      body,
      h("span", { class: "chips" }, chips)));
}

function row(conversation, selected, onOpen) {
  const chips = [
    conversation.language && h("span", { class: "chip", title: "language" }, conversation.language),
    conversation.sentiment && h("span", { class: `chip sentiment-${conversation.sentiment}` }, conversation.sentiment),
    ...(conversation.intents ?? []).map((i) => h("span", { class: "chip intent" }, i.replaceAll("_", " "))),
    conversation.private_data && h("span", { class: "chip warn" }, "private data"),
    conversation.assignee && h("span", { class: "chip assignee" }, `assigned: ${conversation.assignee}`),
  ];
  return conversationRow(conversation, selected, onOpen,
    [h("span", { class: "priority", title: "priority" }, `P${conversation.priority}`), countdown(conversation)],
    h("span", { class: "first-words" }, conversation.first_words ?? ""), chips);
}

export function renderList(ol, items, { selectedId, onOpen }) {
  replace(ol, items.map((c) => row(c, c.id === selectedId, onOpen)));
  tick(ol);
  return items;
}

// One conversation: the thread, the classifier's reasons, notes, tags, assignment history
// and the actions an agent may take (the API decides; the page hides what cannot work).

import { post } from "./api.js";
import { mountComposer } from "./composer.js";
import { attempt, h, replace, toast } from "./dom.js";
import { customerName, PLATFORMS, when } from "./format.js";
import { decidedRows, labelsOf } from "./labels.js";
import { countdown, tick } from "./list.js";
import { mountPeople } from "./people.js";

const SNOOZES = [["1 hour", 1], ["4 hours", 4], ["1 day", 24]];

function reasons(message, open, correction) {
  const c = message.classification;
  if (!c) return null;
  const items = [
    ["Language", `${c.language} (${Math.round((c.language_confidence ?? 0) * 100)}%)`],
    ["Sentiment", `${c.sentiment?.label} (${c.sentiment?.score?.toFixed?.(2) ?? ""})`],
    ["Intents", (c.intents ?? []).join(", ") || "none"],
    ["Matched keywords", [...(c.listening_matches ?? []), ...(c.categories ?? [])].join(", ") || "none"],
    ["Urgency", `priority ${c.priority}${(c.priority_reasons ?? []).length ? ": " + c.priority_reasons.join(", ") : ""}`],
    ["Private data", c.private_data ? "yes: answer by direct message" : "no"],
    ...decidedRows(c, correction),
  ];
  return h("details", { class: "reasons", open }, h("summary", {}, "Why the classifier routed it so"),
    h("dl", {}, items.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
}

// A customer's link is shown only if it is http(s): a javascript: or data: URL is not one
// to click. Images load lazily and tell the host no page address.
function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function attachment(a, url) {
  const open = { href: url, target: "_blank", rel: "noopener noreferrer" };
  const name = `${a.kind || "file"} on ${new URL(url).hostname}`;
  if (a.kind !== "image") return h("a", open, name);
  // A host the page's policy does not load images from leaves the link to the original.
  const link = h("a", { ...open, class: "thumb", title: "Open the original" },
    h("img", { src: url, alt: `Customer's image (${name})`, loading: "lazy", decoding: "async",
      referrerpolicy: "no-referrer", onerror: () => { link.classList.remove("thumb"); replace(link, name); } }));
  return link;
}

function attachments(message) {
  const shown = (message.attachments ?? []).map((a) => [a, safeUrl(a.url)]).filter(([, url]) => url);
  if (!shown.length) return null;
  return h("ul", { class: "attachments", "aria-label": "Attachments" },
    shown.map(([a, url]) => h("li", {}, attachment(a, url))));
}

function thread(detail) {
  const entries = [
    ...detail.messages.map((m) => ({ at: m.created_at, kind: "message", m })),
    ...detail.notes.map((n) => ({ at: n.created_at, kind: "note", n })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const latest = detail.messages.filter((m) => m.direction === "inbound").at(-1);
  const corrections = new Map((detail.corrections ?? []).map((x) => [x.message_id, x]));
  return h("ol", { class: "thread", "aria-label": "Thread" }, entries.map((e) => {
    if (e.kind === "note") {
      return h("li", { class: "note" }, h("p", { class: "meta" }, `Internal note by ${e.n.author_id} · ${when(e.n.created_at)}`),
        h("p", { class: "text" }, e.n.text));
    }
    const m = e.m;
    const dm = m.channel === "direct_message" || m.channel === "direct";
    const who = m.direction === "inbound" ? customerName(m.author) : `agent ${m.author?.id ?? ""}`;
    const correction = corrections.get(m.id);
    // A customer message takes focus, so its labels can be corrected from the keyboard.
    const labelled = m.direction === "inbound" && m.classification;
    return h("li", { class: `message ${m.direction}`, tabindex: labelled ? 0 : undefined,
      "aria-describedby": labelled ? "label-keys" : undefined,
      dataset: labelled ? { messageId: m.id, labels: JSON.stringify(labelsOf(m.classification, correction)) } : undefined },
      h("p", { class: "meta" }, `${who} · ${dm ? "direct message" : "public"} · ${when(m.created_at)}`,
        correction && h("span", { class: "chip corrected" }, "corrected")),
      h("p", { class: "text" }, m.text),
      attachments(m),
      m.direction === "inbound" && reasons(m, m === latest, correction));
  }));
}

function replies(detail) {
  if (!detail.replies.length) return null;
  return h("section", { class: "replies", "aria-label": "Replies" }, h("h3", {}, "Replies"),
    h("ol", {}, detail.replies.map((r) => h("li", { class: `reply reply-${r.status}`, dataset: { replyId: r.id } },
      h("span", { class: `state state-${r.status}` }, r.status === "requested" ? "sending…" : r.status),
      h("span", { class: "chip" }, r.kind === "direct" ? "direct message" : "public"),
      h("span", { class: "text" }, r.text),
      r.reason && h("span", { class: "error" }, ` (${r.reason})`)))));
}

function history(detail) {
  if (!detail.history?.length) return null;
  return h("details", { class: "history" }, h("summary", {}, `Assignment history (${detail.history.length})`),
    h("ol", {}, detail.history.map((e) => h("li", {},
      `${when(e.at)}: ${e.action}${e.agent_id ? ` → ${e.agent_id}` : ""}${e.queue ? ` (queue ${e.queue})` : ""}`))));
}

export function renderConversation(pane, detail, ctx) {
  const c = detail.conversation;
  const mine = c.assignee === ctx.me.id;
  const supervisor = ctx.me.role !== "agent";
  const otherHas = c.assignee && !mine;
  const mayAct = !otherHas || supervisor;
  const resolved = c.status === "resolved";
  const act = (action, body, done) => attempt(async () => {
    await post(`/v1/conversations/${encodeURIComponent(c.id)}/${action}`, body);
    toast(done);
    ctx.reload();
  }, action);

  const transferQueue = h("select", { id: "transfer-queue", "aria-label": "Transfer to queue" },
    ctx.agents.length > 0 && h("option", { value: "" }, "same queue"),
    ctx.queues.filter((q) => q !== c.queue).map((q) => h("option", { value: q }, q)));
  // Supervisors may hand it to a named agent as well (agents cannot list agents).
  const transferAgent = ctx.agents.length > 0 && h("select", { id: "transfer-agent", "aria-label": "Transfer to agent" },
    h("option", { value: "" }, "no agent"),
    ctx.agents.filter((a) => a.id !== c.assignee).map((a) => h("option", { value: a.id }, a.name ?? a.id)));
  const snoozeFor = h("select", { id: "snooze-for", "aria-label": "Snooze for" },
    SNOOZES.map(([label, hours]) => h("option", { value: hours }, label)));
  const tagInput = h("input", { id: "tag-input", "aria-label": "Add a tag", size: 12 });
  const noteInput = h("textarea", { id: "note-input", rows: 2, "aria-label": "Internal note" });

  const actions = h("div", { class: "actions", role: "toolbar", "aria-label": "Conversation actions" },
    !c.assignee && !resolved && h("button", { type: "button", id: "claim", onclick: () => act("claim", {}, "Claimed") }, "Claim (c)"),
    c.assignee && mayAct && h("button", { type: "button", onclick: () => act("release", {}, "Released") }, "Release"),
    mayAct && !resolved && h("span", { class: "group" }, transferQueue, transferAgent,
      h("button", { type: "button", onclick: () => act("transfer", {
        queue: transferQueue.value || undefined, agent_id: (transferAgent && transferAgent.value) || undefined,
      }, "Transferred") }, "Transfer")),
    mayAct && c.status === "open" && h("span", { class: "group" }, snoozeFor,
      h("button", { type: "button", onclick: () => act("snooze", {
        until: new Date(Date.now() + Number(snoozeFor.value) * 3600e3).toISOString() }, "Snoozed") }, "Snooze")),
    mayAct && !resolved && h("button", { type: "button", id: "resolve", onclick: () => act("resolve", {}, "Resolved") }, "Resolve (e)"),
    mayAct && resolved && h("button", { type: "button", onclick: () => act("reopen", {}, "Reopened") }, "Reopen"));

  const composerSlot = h("div", { class: "composer-slot" });
  const peopleSlot = h("section", { class: "people", "aria-label": "Same person on other channels" });
  replace(pane,
    h("header", { class: "conversation-head" },
      h("h2", { id: "conversation-title" }, `${customerName(c.customer)} on ${PLATFORMS[c.platform] ?? c.platform}`),
      h("p", { class: "meta" },
        h("span", { class: `status status-${c.status}` }, c.status.replaceAll("_", " ")),
        ` · queue ${c.queue} · P${c.priority} · `, countdown(c),
        c.rule_id && ` · rule ${c.rule_id}`),
      h("p", { class: "assignment", role: "status", id: "assignment" },
        c.assignee ? (mine ? "Assigned to you" : `Claimed by ${c.assignee}`) : "Unassigned"),
      h("p", { class: "chips" }, (c.tags ?? []).map((t) => h("span", { class: "chip tag" }, t)))),
    actions,
    peopleSlot,
    h("p", { id: "label-keys", class: "sr-only" },
      "Correct its labels: s then n, u or p for sentiment; i intents, l language, b brand category."),
    thread(detail),
    replies(detail),
    composerSlot,
    h("section", { class: "side-tools", "aria-label": "Tags and notes" },
      mayAct && h("form", { class: "inline-form", onsubmit: (ev) => {
        ev.preventDefault();
        if (tagInput.value.trim()) act("tags", { add: [tagInput.value.trim()] }, "Tagged");
      } }, h("label", { for: "tag-input" }, "Tag"), tagInput, h("button", { type: "submit" }, "Add tag")),
      h("form", { class: "inline-form", onsubmit: (ev) => {
        ev.preventDefault();
        if (noteInput.value.trim()) attempt(async () => {
          await post(`/v1/conversations/${encodeURIComponent(c.id)}/notes`, { text: noteInput.value.trim() });
          ctx.reload();
        }, "note");
      } }, h("label", { for: "note-input" }, "Internal note"), noteInput, h("button", { type: "submit" }, "Add note")),
      history(detail)));
  if (mayAct && !resolved) mountComposer(composerSlot, c, ctx);
  else composerSlot.append(h("p", { class: "hint" }, resolved ? "Resolved: reopen it to reply." : "Another agent has this conversation."));
  mountPeople(peopleSlot, c);
  tick(pane);
}

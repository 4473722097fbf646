// The reply composer: saved replies with their variables, the text as it will be posted
// (signature included) and its length as the platform counts it, all from the API's
// preview route, so the page never counts differently from the responder.

import { api, ApiError, post } from "./api.js";
import { attempt, debounce, h, replace, toast } from "./dom.js";

const FILLED_BY_SERVER = new Set(["customer_name", "agent_name", "agent_initials"]);
const COUNTING = { weighted: "as X counts: links 23, emoji and CJK 2", codepoints: "characters" };

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function requestBody(draft) {
  const body = draft.saved
    ? { saved_reply: draft.saved, variables: Object.fromEntries(Object.entries(draft.variables).filter(([, v]) => v)) }
    : { text: draft.text };
  return { ...body, kind: draft.kind };
}

export function mountComposer(slot, conversation, ctx) {
  const id = encodeURIComponent(conversation.id);
  const draft = (ctx.drafts[conversation.id] ??= { text: "", saved: "", variables: {}, kind: "public", key: newKey() });
  let latest = null;

  const savedSelect = h("select", { id: "saved-reply" },
    h("option", { value: "" }, "— write my own —"),
    ctx.savedReplies.map((s) => h("option", { value: s.id, selected: s.id === draft.saved }, s.title)));
  const variables = h("div", { class: "variables" });
  const textArea = h("textarea", { id: "reply-text", rows: 4, "aria-describedby": "reply-count" });
  textArea.value = draft.text;
  const ownText = h("div", { class: "stack" }, h("label", { for: "reply-text" }, "Your text"), textArea);
  const kindRadios = ["public", "direct"].map((kind) => h("label", { class: "inline" },
    h("input", { type: "radio", name: "reply-kind", value: kind, checked: draft.kind === kind,
      onchange: () => { draft.kind = kind; refresh(); } }),
    kind === "public" ? " Public reply" : " Direct message"));
  const preview = h("div", { class: "preview", id: "reply-preview", "aria-live": "polite" });
  const count = h("p", { class: "count", id: "reply-count" });
  const warnings = h("div", { class: "warnings" });
  const send = h("button", { type: "submit", id: "send-reply", disabled: true }, "Send reply");

  function renderVariables(names) {
    replace(variables, names.filter((n) => !FILLED_BY_SERVER.has(n)).map((name) => {
      const input = h("input", { id: `var-${name}`, value: draft.variables[name] ?? "",
        oninput: () => { draft.variables[name] = input.value; refresh(); } });
      return h("label", { class: "inline", for: `var-${name}` }, name.replaceAll("_", " "), " ", input);
    }));
  }

  async function chooseSaved() {
    draft.saved = savedSelect.value;
    ownText.hidden = Boolean(draft.saved);  // a saved reply is the whole text
    if (draft.saved) {
      const found = await attempt(() => api(`/v1/saved-replies/${encodeURIComponent(draft.saved)}/variables`), "saved reply");
      renderVariables(found?.variables ?? []);
    } else {
      replace(variables);
    }
    refresh();
  }

  function show(result) {
    latest = result;
    replace(preview, h("p", { class: "label" }, "As it will be posted"), h("p", { class: "text" }, result.text));
    const over = result.length > result.limit;
    count.dataset.over = String(over);
    replace(count, `${result.length} / ${result.limit} (${COUNTING[result.counting] ?? result.counting})`,
      over && !result.too_long ? ` · sent as a thread of ${result.parts.length}` : "");
    const notes = [];
    if (result.missing_variables.length) notes.push(h("p", { class: "warn" }, `Fill in: ${result.missing_variables.join(", ")}`));
    if (result.too_long) notes.push(h("p", { class: "warn" }, "Too long to send as it is: shorten it."));
    // Unfilled variables are already listed above; the problem would repeat them.
    if (result.problem && !result.missing_variables.length) notes.push(h("p", { class: "warn" }, result.problem));
    if (result.private_data && draft.kind === "public") {
      notes.push(h("p", { class: "warn private", role: "alert" },
        "This conversation contains personal data: answer by direct message. ",
        h("button", { type: "button", id: "switch-to-dm", onclick: () => {
          draft.kind = "direct";
          kindRadios[1].querySelector("input").checked = true;
          refresh();
        } }, "Switch to direct message")));
    }
    replace(warnings, notes);
    send.disabled = Boolean(result.missing_variables.length || result.too_long || result.problem);
  }

  const refresh = debounce(async () => {
    if (!draft.saved && !draft.text.trim()) {
      latest = null;
      replace(preview);
      replace(count, "");
      replace(warnings);
      send.disabled = true;
      return;
    }
    try {
      show(await post(`/v1/conversations/${id}/replies/preview`, requestBody(draft)));
    } catch (error) {
      replace(warnings, h("p", { class: "warn" }, error.message));
      send.disabled = true;
    }
  }, 200);

  async function submit(event) {
    event.preventDefault();
    if (!latest || send.disabled) return;
    send.disabled = true;
    try {
      await post(`/v1/conversations/${id}/replies`, requestBody(draft), { "Idempotency-Key": draft.key });
      toast("Reply queued: it shows as sent once the platform has it");
      delete ctx.drafts[conversation.id];
      ctx.reload();
    } catch (error) {
      // A 503 means it was not queued: the same key makes the retry safe.
      toast(`Reply not sent: ${error.message}${error instanceof ApiError && error.status === 503 ? " (try again)" : ""}`, "error");
      send.disabled = false;
    }
  }

  textArea.addEventListener("input", () => { draft.text = textArea.value; refresh(); });
  savedSelect.addEventListener("change", chooseSaved);
  replace(slot, h("form", { class: "composer", id: "composer", "aria-label": "Reply", onsubmit: submit },
    h("h3", {}, "Reply"),
    h("label", { for: "saved-reply" }, "Saved reply"), savedSelect,
    variables,
    ownText,
    h("fieldset", { class: "kind" }, h("legend", {}, "Send as"), kindRadios),
    count, preview, warnings, send));
  if (draft.saved) chooseSaved(); else refresh();
}

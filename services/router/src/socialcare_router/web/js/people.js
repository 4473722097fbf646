// One customer across channels: the other platform identities an agent linked to this
// conversation's customer, their conversations there (a click opens one), and a form to
// link another identity. The API decides who may link; the page reports its refusals.

import { api, del, post } from "./api.js";
import { attempt, h, replace, toast } from "./dom.js";
import { customerName, PLATFORMS, when } from "./format.js";

const STYLESHEET = "css/people.css";

// The conversation view's own rules (people panel, attachments): inbox.css is the layout's.
export function useStylesheet() {
  if (!document.querySelector(`link[href="${STYLESHEET}"]`)) {
    document.head.append(h("link", { rel: "stylesheet", href: STYLESHEET }));
  }
}

const platformName = (platform) => PLATFORMS[platform] ?? platform;
const sameIdentity = (i, c) =>
  i.platform === c.platform && i.brand_account === c.brand_account && i.customer_id === c.customer?.id;

function identityLabel(i) {
  return `${platformName(i.platform)} ${customerName({ handle: i.handle, display_name: i.display_name, id: i.customer_id })}`;
}

// What the agent typed: a conversation id, or a pasted inbox link ending in one.
function conversationRef(text) {
  const value = text.trim();
  const at = value.lastIndexOf("#/inbox/");
  return at < 0 ? value : decodeURIComponent(value.slice(at + "#/inbox/".length).split("/")[0]);
}

function linkForm(conversation, refresh) {
  const other = h("input", { id: "link-conversation", size: 24, "aria-describedby": "link-hint", placeholder: "id or link" });
  const platform = h("select", { id: "link-platform", "aria-label": "Platform" },
    Object.entries(PLATFORMS).map(([value, name]) => h("option", { value }, name)));
  const account = h("input", { id: "link-account", size: 12, "aria-label": "Brand account", placeholder: "brand account", value: conversation.brand_account });
  const customer = h("input", { id: "link-customer", size: 14, "aria-label": "Customer id", placeholder: "customer id" });
  const submit = (ev) => {
    ev.preventDefault();
    const ref = other.value.trim()
      ? { conversation_id: conversationRef(other.value) }
      : { platform: platform.value, brand_account: account.value.trim(), customer_id: customer.value.trim() };
    if (!ref.conversation_id && !ref.customer_id) return;
    attempt(async () => {
      const linked = await post("/v1/people/links", { identities: [{ conversation_id: conversation.id }, ref] });
      toast(linked.merged.length ? "Linked: two people merged into one" : "Linked");
      refresh();
    }, "link");
  };
  return h("form", { class: "link-person", onsubmit: submit },
    h("p", { class: "hint", id: "link-hint" }, "Link another identity of this customer: paste one of their conversations, or name the account."),
    h("span", { class: "inline-form" },
      h("label", { for: "link-conversation" }, "Conversation"), other,
      h("span", { class: "hint" }, "or"), platform, account, customer,
      h("button", { type: "submit" }, "Link")));
}

function panel(found, conversation, refresh) {
  const others = found.identities.filter((i) => !sameIdentity(i, conversation));
  const elsewhere = found.conversations.filter((c) => c.id !== conversation.id);
  const unlink = (i) => attempt(async () => {
    const path = [i.platform, i.brand_account, i.customer_id].map(encodeURIComponent).join("/");
    await del(`/v1/people/${encodeURIComponent(found.id)}/identities/${path}`);
    toast(`Unlinked ${identityLabel(i)}`);
    refresh();
  }, "unlink");
  const channels = [...new Set(others.map((i) => platformName(i.platform)))];
  return [
    h("h3", {}, channels.length ? `Same person on ${channels.join(", ")}` : "Same person on other channels"),
    others.length
      ? h("ul", { class: "identities" }, others.map((i) => h("li", {},
        h("span", { class: `platform platform-${i.platform}` }, platformName(i.platform)), " ",
        customerName({ handle: i.handle, display_name: i.display_name, id: i.customer_id }),
        h("span", { class: "hint" }, ` · ${i.brand_account}`), " ",
        h("button", { type: "button", class: "quiet", onclick: () => unlink(i),
          "aria-label": `Unlink ${identityLabel(i)}` }, "Unlink"))))
      : h("p", { class: "hint" }, "Not linked to other identities yet."),
    found.hidden_identities > 0 && h("p", { class: "hint" },
      `${found.hidden_identities} more on brand accounts outside yours.`),
    elsewhere.length > 0 && h("ol", { class: "person-history", "aria-label": "Their other conversations, newest first" },
      elsewhere.map((c) => h("li", {},
        h("a", { href: `#/inbox/${encodeURIComponent(c.id)}` },
          h("span", { class: `platform platform-${c.platform}` }, platformName(c.platform)),
          ` ${c.status.replaceAll("_", " ")} · ${when(c.last_message_at)}`),
        c.first_words && h("span", { class: "first-words" }, ` ${c.first_words}`)))),
    linkForm(conversation, refresh),
  ];
}

// The conversation view is drawn again on every change to it: the person last shown for
// it fills the panel at once, so nothing jumps while it is fetched again.
let lastShown = { id: null, found: null };

// Fills ``slot`` with the customer's person; it fetches again after a link or an unlink.
export async function mountPeople(slot, conversation) {
  useStylesheet();
  const refresh = () => mountPeople(slot, conversation);
  if (lastShown.id === conversation.id) replace(slot, panel(lastShown.found, conversation, refresh));
  const found = await attempt(() => api(`/v1/people/of/${encodeURIComponent(conversation.id)}`), "other channels");
  if (!found) return;
  lastShown = { id: conversation.id, found };
  replace(slot, panel(found, conversation, refresh));
}

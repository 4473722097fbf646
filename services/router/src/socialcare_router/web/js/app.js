// The page: sign-in, sections, the inbox (filters, list, conversation), keyboard shortcuts
// and the live feed that keeps every open view current.

import { api, ApiError, put, query, session } from "./api.js";
import { renderConversation } from "./conversation.js";
import { attempt, debounce, h, replace, throttle, toast } from "./dom.js";
import { labelKeys } from "./labels.js";
import { renderList, tick } from "./list.js";
import { renderResults, resultCount, searchAll } from "./search.js";
import { startLive } from "./live.js";
import { mountManage } from "./admin.js";
import { mountSupervisor } from "./reports.js";

const $ = (id) => document.getElementById(id);
const state = { me: null, items: [], shown: [], selectedId: null, queues: [], savedReplies: [], drafts: {}, stopLive: null, seq: 0, search: "", pages: 1, agents: [], intents: [] };
const listeners = new Set();  // views that want live updates (the supervisor's)

const ctx = {
  get me() { return state.me; },
  get queues() { return state.queues; },
  get savedReplies() { return state.savedReplies; },
  get agents() { return state.agents; },
  get intents() { return state.intents; },
  drafts: state.drafts,
  reload: () => { loadList(); loadConversation(); },
  onLive: (fn) => listeners.add(fn),
};

function filters() {
  const form = new FormData($("filters"));
  return Object.fromEntries(form.entries());
}

async function loadQueues() {
  const overview = await api("/v1/queue-overview");
  state.queues = overview.map((q) => q.queue);
  const select = $("f-view");
  const current = select.value || "mine";
  replace(select, h("option", { value: "mine" }, "My conversations"),
    overview.map((q) => h("option", { value: `queue:${q.queue}` }, `Queue ${q.queue} (${q.open})`)));
  select.value = [...select.options].some((o) => o.value === current) ? current : "mine";
}

// The intent filter offers what the classifier emits (GET /v1/catalog) plus any intent a
// listed conversation carries (a brand's own taxonomy), never a value nothing produces.
async function loadCatalog() {
  try {
    state.intents = (await api("/v1/catalog")).intents;
  } catch {
    state.intents = [];  // an inbox without the catalog route: the listed intents only
  }
}

function offerIntents() {
  const seen = new Set(state.intents);
  for (const item of state.items) for (const i of item.intents ?? []) seen.add(i);
  replace($("intent-list"), [...seen].map((i) => h("option", { value: i })));
}

// While a search is typed its results take the list's place, and live updates refresh them.
async function loadResults() {
  const seq = ++state.seq;
  let items = [];
  let count;
  try {
    const found = await searchAll(state.search);
    items = found.items;
    count = resultCount(items.length, found.words);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 422) toast(`search: ${error.message}`, "error");
    count = `Cannot search for that: ${error.message}`;
  }
  if (seq !== state.seq) return;
  $("more").hidden = true;
  $("conversation-list").setAttribute("aria-label", "Search results, newest first");
  state.shown = renderResults($("conversation-list"), items, { selectedId: state.selectedId, onOpen: open });
  $("list-count").textContent = count;
}

async function loadList() {
  if (!state.me) return;
  $("filters").hidden = Boolean(state.search);  // they narrow the queues, not a search
  if (state.search) return loadResults();
  const f = filters();
  const params = query({ status: f.status, platform: f.platform, sentiment: f.sentiment,
    intent: f.intent, tag: f.tag, language: f.language, limit: 100 });
  const path = f.view?.startsWith("queue:")
    ? `/v1/queues/${encodeURIComponent(f.view.slice(6))}/conversations${params}`
    : `/v1/me/conversations${params}`;
  const seq = ++state.seq;  // a slower earlier answer must not overwrite a newer one
  const items = [];
  let cursor = null;
  for (let n = 0; n < state.pages; n++) {
    const page = await attempt(() => api(`${path}${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`), "list");
    if (!page || seq !== state.seq) return;
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  $("more").hidden = !cursor;
  state.items = items;
  offerIntents();
  $("conversation-list").setAttribute("aria-label", "Conversations, due soonest first");
  state.shown = renderList($("conversation-list"), state.items, { selectedId: state.selectedId, onOpen: open });
  $("list-count").textContent = `${state.shown.length} conversation${state.shown.length === 1 ? "" : "s"}`;
}

async function loadConversation() {
  if (!state.selectedId) return;
  try {
    const path = `/v1/conversations/${encodeURIComponent(state.selectedId)}`;
    const [detail, corrections] = await Promise.all([api(path),
      api(`${path}/corrections`).catch(() => [])]);  // the thread shows without them
    // Keep the focused message focused across the re-render a correction causes.
    const focused = document.activeElement?.dataset?.messageId;
    renderConversation($("conversation"), { ...detail, corrections }, ctx);
    if (focused) document.querySelector(`#conversation [data-message-id="${CSS.escape(focused)}"]`)?.focus();
  } catch (error) {
    replace($("conversation"), h("p", { class: "error" }, error.message));
  }
}

function open(id) {
  state.selectedId = id;
  // Only the id goes into the URL: no customer handle or text.
  history.replaceState(null, "", `#/inbox/${encodeURIComponent(id)}`);
  for (const b of document.querySelectorAll("#conversation-list .row")) {
    b.toggleAttribute("aria-current", b.dataset.id === id);
  }
  loadConversation();
}

function move(step) {
  if (!state.shown.length) return;
  const at = state.shown.findIndex((c) => c.id === state.selectedId);
  const next = state.shown[Math.max(0, Math.min(state.shown.length - 1, at < 0 ? 0 : at + step))];
  open(next.id);
  document.querySelector(`#conversation-list .row[data-id="${CSS.escape(next.id)}"]`)?.focus();
}

function showView(name) {
  const allowed = state.me.role !== "agent" || name === "inbox" ? name : "inbox";
  for (const view of ["inbox", "supervisor", "manage"]) $(`${view}-view`).hidden = view !== allowed;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === allowed) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (allowed === "supervisor") mountSupervisor($("supervisor-view"), ctx);
  if (allowed === "manage") mountManage($("manage-view"), ctx);
}

function route() {
  if (!state.me) return;
  const [, view = "inbox", id] = location.hash.split("/");
  showView(view);
  if (view === "inbox" && id && decodeURIComponent(id) !== state.selectedId) open(decodeURIComponent(id));
}

const onUpdate = throttle(loadList, 300);
// Queue counts cost a few counts per queue: refreshed less often than the list.
const onQueues = throttle(() => loadQueues().catch(() => {}), 5000);

function live(event) {
  if (event.type === "resync" || event.data?.conversation_id === state.selectedId) loadConversation();
  onUpdate();
  onQueues();
  for (const fn of listeners) fn(event);
}

async function signIn(key) {
  session.set(key);
  try {
    state.me = await api("/v1/me");
  } catch (error) {
    session.clear();
    throw error;
  }
  $("signin-view").hidden = true;
  $("nav").hidden = false;
  $("search").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = state.me.name;
  $("who-role").textContent = state.me.role;
  $("presence").value = state.me.presence ?? "online";
  for (const el of document.querySelectorAll("[data-role=supervisor]")) el.hidden = state.me.role === "agent";
  state.savedReplies = await api("/v1/saved-replies");
  if (state.me.role !== "agent") state.agents = await api("/v1/agents");
  await Promise.all([loadQueues(), loadCatalog()]);
  state.stopLive = startLive(live, (s) => {
    $("live-state").textContent = s === "live" ? "live" : "reconnecting…";
    $("live-state").dataset.state = s;
  });
  if (!location.hash.startsWith("#/")) location.hash = "#/inbox";
  route();
  await loadList();
}

function signOut() {
  state.stopLive?.();
  session.clear();
  location.hash = "";
  location.reload();
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

function shortcuts(event) {
  if (!state.me || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if ($("inbox-view").hidden && event.key !== "?") return;
  if (labelKeys(event, ctx)) {
    event.preventDefault();
    return;
  }
  const click = (id) => { const b = $(id); if (b) b.click(); else toast(`Nothing to ${id} here`); };
  const keys = {
    j: () => move(1), k: () => move(-1), c: () => click("claim"), e: () => click("resolve"),
    r: () => $("reply-text")?.focus(), "/": () => $("search-q").focus(),
    "?": () => $("shortcuts").showModal(),
  };
  if (keys[event.key]) {
    event.preventDefault();
    keys[event.key]();
  }
}

function start() {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-error").textContent = "";
    try {
      await signIn($("api-key").value.trim());
      $("api-key").value = "";
    } catch (error) {
      $("signin-error").textContent = error instanceof ApiError && error.status === 401
        ? "That key is not known." : `Could not sign in: ${error.message}`;
    }
  });
  $("sign-out").addEventListener("click", signOut);
  $("show-shortcuts").addEventListener("click", () => $("shortcuts").showModal());
  $("presence").addEventListener("change", (e) =>
    attempt(() => put("/v1/me/presence", { presence: e.target.value }), "presence"));
  $("filters").addEventListener("input", debounce(() => { state.pages = 1; loadList(); }, 200));
  $("more").addEventListener("click", () => { state.pages += 1; loadList(); });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("search").addEventListener("submit", (e) => e.preventDefault());
  $("search-q").addEventListener("input", debounce((e) => {
    state.search = e.target.value.trim();
    if ($("inbox-view").hidden) location.hash = "#/inbox";
    loadList();
  }, 250));
  window.addEventListener("hashchange", route);
  window.addEventListener("signed-out", () => { if (state.me) signOut(); });
  document.addEventListener("keydown", shortcuts);
  setInterval(() => tick(), 1000);
  setInterval(() => { if (state.me) loadList(); }, 60000);  // escalations change without events
  if (session.key) signIn(session.key).catch(() => { $("signin-view").hidden = false; });
}

start();

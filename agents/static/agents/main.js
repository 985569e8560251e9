// Entry point of the inbox page: socket, live updates, reply box, shortcuts, presence,
// and the modules installed channels add to the inbox (their spec's inbox_scripts).
import { DeskSocket } from "./socket.js";
import { Live } from "./live.js";
import { wireReply } from "./reply.js";
import { wireKeys } from "./keys.js";
import { wirePanes, wireBulk, wireFiles } from "./panes.js";
import { wireSnooze } from "./snooze.js";

const body = document.body;
const ctx = {
  me: Number(body.dataset.me),
  ticket: Number(body.dataset.ticket) || null,
  contact: Number(body.dataset.contact) || null,
  strings: JSON.parse(document.getElementById("desk-strings").textContent),
};

const sock = new DeskSocket(body.dataset.wsPath, Number(body.dataset.seq) || 0);
const live = new Live(sock, ctx);
window.deskSocket = sock; // for debugging and the browser tests

const conn = document.getElementById("conn");
sock.addEventListener("state", (e) => {
  const state = e.detail.state;
  conn.dataset.state = state;
  conn.textContent = state === "open" ? ctx.strings.live
    : state === "denied" ? ctx.strings.no_access
    : state === "closed" ? ctx.strings.reconnecting : ctx.strings.connecting;
});
// Connecting may have set us online before this socket joined its groups.
sock.addEventListener("hello", (e) => live.presence({ agent_id: ctx.me, presence: e.detail.presence }));
if (ctx.ticket) sock.watching = ctx.ticket;

wireReply(sock, live, ctx);
wireKeys();
wireSuggestions();
wirePanes();
wireBulk(ctx);
wireFiles(ctx);
wireSnooze(body.dataset.jalaaliUrl);
wirePresence(sock, Number(body.dataset.idleSeconds) || 300);

function toast(message) {
  const node = document.getElementById("toast");
  document.getElementById("toast-body").textContent = message;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 6000);
}

body.addEventListener("htmx:responseError", (e) => toast(e.detail.xhr.responseText || e.detail.xhr.statusText));
body.addEventListener("htmx:sendError", () => toast(ctx.strings.reconnecting));
body.addEventListener("desk:toast", (e) => toast(e.detail.message)); // HX-Trigger from the server
body.addEventListener("htmx:afterSwap", (e) => {
  if (e.detail.target.id === "timeline") e.detail.target.lastElementChild?.scrollIntoView({ block: "end" });
  if (e.detail.target.id === "list" && ctx.ticket) {
    document.querySelector(`#rows li[data-ticket-id="${ctx.ticket}"]`)?.classList.add("current");
  }
});
document.getElementById("timeline")?.lastElementChild?.scrollIntoView({ block: "end" });

// Channel modules are wired before the socket opens, so none of them misses a frame.
await wireChannelModules(sock, ctx);
sock.connect();

async function wireChannelModules(sock, ctx) {
  // Each module exports wire(sock, ctx); one that fails to load or wire is reported
  // and skipped: a channel's pop-up must not take the inbox down with it.
  const urls = JSON.parse(document.getElementById("desk-modules")?.textContent || "[]");
  const loaded = await Promise.allSettled(urls.map((url) => import(url)));
  loaded.forEach((result, i) => {
    try {
      if (result.status === "rejected") throw result.reason;
      result.value.wire(sock, ctx);
    } catch (error) {
      console.error(`inbox module ${urls[i]}:`, error);
    }
  });
}

function wirePresence(sock, idleSeconds) {
  const select = document.getElementById("presence");
  let autoAway = false;
  let idleTimer = null;
  select?.addEventListener("change", () => {
    autoAway = false;
    if (!sock.send({ action: "presence", state: select.value })) select.form.requestSubmit();
  });
  const active = () => {
    if (autoAway) {
      autoAway = false;
      select.value = "online";
      sock.send({ action: "presence", state: "online" });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (select?.value === "online") {
        autoAway = true;
        select.value = "away";
        sock.send({ action: "presence", state: "away" });
      }
    }, idleSeconds * 1000);
  };
  for (const name of ["keydown", "pointerdown", "pointermove", "focus"]) {
    window.addEventListener(name, active, { passive: true });
  }
  active();
}

function wireSuggestions() {
  // "Insert link" / "Insert summary" on a suggested article: into the reply, at the caret.
  const text = document.getElementById("reply-text");
  document.querySelectorAll(".suggestions [data-insert]").forEach((button) => {
    button.addEventListener("click", () => {
      const insert = button.dataset.insert;
      const at = text.selectionStart ?? text.value.length;
      const before = text.value.slice(0, at);
      const sep = before && !before.endsWith("\n") ? "\n" : "";
      text.value = before + sep + insert + "\n" + text.value.slice(at);
      text.focus();
    });
  });
}

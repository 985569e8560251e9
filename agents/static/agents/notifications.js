// The notification center in the top bar: the bell's unread count (also in the tab
// title), live over the agent socket, reloaded from the server whenever the socket
// (re)connects, so a lost frame or a night with the laptop closed loses nothing.
// Desktop notifications and a short sound for what the server marks so (new chats
// and mentions by default; each agent turns them off in their preferences). The
// browser's permission is asked once, from a button (browsers want a click).
import { DeskSocket } from "./socket.js";
import { wireMentions } from "./mentions.js";

const ASKED_KEY = "desk.notifications.asked";
const baseTitle = document.title;

function fmt(n) {
  return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n);
}

function setCount(n) {
  const badge = document.getElementById("notif-count");
  const bell = document.getElementById("notif-bell");
  const button = document.getElementById("notif-button");
  if (!badge || !bell) return;
  badge.hidden = n <= 0;
  badge.textContent = n > 99 ? `${fmt(99)}+` : fmt(n);
  const label = n > 0 ? bell.dataset.labelUnread.replace("%(count)s", fmt(n)) : bell.dataset.label;
  button.setAttribute("aria-label", label);
  button.title = label;
  document.title = n > 0 ? `(${fmt(n)}) ${baseTitle}` : baseTitle;
}

function refresh() {
  // The menu fragment (htmx) brings the list and the count.
  document.body.dispatchEvent(new CustomEvent("desk:notifications", { bubbles: true }));
}

function desktopAllowed() {
  return "Notification" in window && Notification.permission === "granted";
}

function showDesktop(data) {
  if (!desktopAllowed()) return;
  try {
    const bell = document.getElementById("notif-bell");
    const pop = new Notification(data.title, {
      body: data.body || "",
      tag: `desk-notification-${data.id}`,
      lang: document.documentElement.lang,
      dir: document.documentElement.dir === "rtl" ? "rtl" : "ltr",
    });
    pop.addEventListener("click", () => {
      window.focus();
      location.href = `${bell.dataset.openUrl}${data.id}/open/`;
      pop.close();
    });
    bell.dataset.desktopShown = String(Number(bell.dataset.desktopShown || 0) + 1); // for tests
  } catch (err) {
    console.warn("desktop notification refused", err);
  }
}

let audio = null;
function ring() {
  // A short two-tone chime made on the spot: no sound file to fetch or vendor.
  try {
    audio = audio || new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.15 + 0.14);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.15);
      osc.stop(now + i * 0.15 + 0.15);
    }
  } catch (err) {
    // No audio before the page got a click: browsers' autoplay rule. Nothing to do.
  }
}

function wirePermission() {
  const box = document.getElementById("notif-permission");
  const button = document.getElementById("notif-permission-button");
  if (!box || !button || !("Notification" in window)) return;
  box.hidden = Notification.permission !== "default" || localStorage.getItem(ASKED_KEY) === "1";
  button.addEventListener("click", async () => {
    localStorage.setItem(ASKED_KEY, "1"); // asked once: the browser remembers the answer
    await Notification.requestPermission();
    box.hidden = true;
  });
}

export function wireNotifications(sock) {
  sock.addEventListener("event", (e) => {
    const ev = e.detail;
    if (ev.type === "notification") {
      const data = ev.data || {};
      if (data.in_app) {
        setCount(data.unread);
        refresh();
      }
      if (data.desktop) showDesktop(data);
      if (data.sound) ring();
    } else if (ev.type === "notification.read") {
      setCount(ev.data.unread);
      refresh();
    }
  });
  // Every (re)connect: whatever happened while the socket was away is reloaded.
  sock.addEventListener("state", (e) => {
    if (e.detail.state === "open" && e.detail.reconnect) refresh();
  });
}

document.body.addEventListener("htmx:afterSwap", (e) => {
  const menu = document.getElementById("notif-menu-body");
  if (!menu || !e.detail.target.contains(menu)) return;
  setCount(Number(menu.dataset.unread) || 0);
  wirePermission();
  startOwnSocket(Number(menu.dataset.seq) || 0);
});

let own = null;
function startOwnSocket(seq) {
  // Pages without the inbox's socket open one for the bell, current from `seq`.
  if (own || window.deskSocket || document.body.dataset.wsPath) return;
  own = new DeskSocket("/ws/agent/", seq);
  own.addEventListener("state", (e) => {
    document.getElementById("notif-bell")?.setAttribute("data-socket", e.detail.state);
  });
  wireNotifications(own);
  own.connect();
}

// The inbox page's entry module (main.js) publishes its socket as window.deskSocket,
// whenever it gets there: the bell wires itself to it at that moment, before it connects.
function wireInbox() {
  let inboxSocket = window.deskSocket;
  if (inboxSocket) wireNotifications(inboxSocket);
  Object.defineProperty(window, "deskSocket", {
    configurable: true,
    get: () => inboxSocket,
    set: (sock) => {
      inboxSocket = sock;
      if (sock) wireNotifications(sock);
    },
  });
}
wireInbox();

// A ticket page: @mentions in its note composer; opening it reads what was about it.
const pageTicket = Number(document.body.dataset.ticket) || null;
wireMentions(pageTicket);
if (pageTicket) markTicketRead(pageTicket);

function markTicketRead(ticketId) {
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  const body = new URLSearchParams({ ticket: String(ticketId) });
  fetch("/notifications/read/", { method: "POST", headers: { ...headers, "HX-Request": "true" }, body })
    .catch(() => {}); // the next visit tries again; nothing is lost
}

// The reply box: canned responses by shortcut, typing and "replying" signals,
// reset after a successful send.
const TYPING_IDLE_MS = 4000;

export function wireReply(sock, live, ctx) {
  const form = document.getElementById("reply");
  const text = document.getElementById("reply-text");
  if (!form || !text) return;
  const canned = readCanned();
  let typingSent = 0;
  let idleTimer = null;

  const mode = () => form.querySelector("input[name=mode]:checked")?.value || "reply";
  // "Replying" only while a reply (not a note) is being written.
  const replying = () => mode() === "reply" && text.value.trim() !== "";
  const stopTyping = () => {
    if (typingSent) sock.send({ action: "typing", ticket_id: ctx.ticket, mode: mode(), active: false });
    typingSent = 0;
    live.setMyState(replying() && document.activeElement === text ? "replying" : "viewing");
  };

  text.addEventListener("input", () => {
    const now = Date.now();
    if (now - typingSent > 2500) {
      sock.send({ action: "typing", ticket_id: ctx.ticket, mode: mode(), active: true });
      typingSent = now;
    }
    live.setMyState(replying() ? "replying" : "viewing");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  for (const radio of form.querySelectorAll("input[name=mode]")) {
    // Switching tabs mid-message: the others see the new mode at once.
    radio.addEventListener("change", () => {
      if (typingSent) {
        sock.send({ action: "typing", ticket_id: ctx.ticket, mode: mode(), active: true });
        typingSent = Date.now();
      }
      live.setMyState(replying() ? "replying" : "viewing");
    });
  }
  text.addEventListener("blur", () => { if (!text.value.trim()) live.setMyState("viewing"); });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Tab" && !e.shiftKey && expandShortcut(text, canned)) e.preventDefault();
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  const picker = document.getElementById("canned");
  if (picker) {
    picker.addEventListener("change", () => {
      const item = canned.find((c) => c.shortcut === picker.value);
      if (item) insertAtCursor(text, item.body);
      picker.value = "";
      text.focus();
    });
  }
  form.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== form || !e.detail.successful) return;
    const current = mode();
    form.reset();
    form.querySelector(`input[name=mode][value=${current}]`).checked = true;
    const count = document.getElementById("reply-files-count");
    if (count) count.textContent = "";
    stopTyping();
    live.setMyState("viewing");
  });
}

function readCanned() {
  const node = document.getElementById("desk-canned");
  return node ? JSON.parse(node.textContent) : [];
}

function expandShortcut(text, canned) {
  const before = text.value.slice(0, text.selectionStart);
  const match = before.match(/(^|\s)\/([\p{L}\p{N}_-]+)$/u);
  if (!match) return false;
  const item = canned.find((c) => c.shortcut === match[2]);
  if (!item) return false;
  const start = text.selectionStart - match[2].length - 1;
  text.setRangeText(item.body, start, text.selectionStart, "end");
  text.dispatchEvent(new Event("input"));
  return true;
}

function insertAtCursor(text, value) {
  text.setRangeText(value, text.selectionStart, text.selectionEnd, "end");
  text.dispatchEvent(new Event("input"));
}

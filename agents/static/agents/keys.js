// Keyboard shortcuts and their help overlay (see _help.html for the list).
function typingInField(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

function go(step) {
  const links = [...document.querySelectorAll("#rows li.ticket-row a.open")];
  if (!links.length) return;
  const current = links.findIndex((a) => a.closest("li").classList.contains("current"));
  const next = current === -1 ? (step > 0 ? 0 : links.length - 1) : current + step;
  if (next >= 0 && next < links.length) location.assign(links[next].href);
}

function focusReply(mode) {
  const radio = document.querySelector(`#reply input[name=mode][value=${mode}]`);
  const text = document.getElementById("reply-text");
  if (radio) radio.checked = true;
  if (text) text.focus();
}

function submit(id) {
  const form = document.getElementById(id);
  if (form) form.requestSubmit();
}

export function wireKeys() {
  const help = document.getElementById("help");
  document.getElementById("help-button")?.addEventListener("click", () => help?.showModal());
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e.target)) return;
    const actions = {
      j: () => go(1),
      k: () => go(-1),
      r: () => focusReply("reply"),
      n: () => focusReply("note"),
      e: () => submit("resolve-form"),
      a: () => submit("claim-form"),
      "/": () => document.getElementById("search")?.focus(),
      "?": () => help?.showModal(),
    };
    const action = actions[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  });
}

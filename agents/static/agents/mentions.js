// @mention autocomplete in the note composer: typing "@al" in an internal note lists
// the agents who may read the ticket (the server decides), arrows and Enter/Tab pick
// one, "@username " is written. The mention is what notifies them when the note is saved.
const MIN_WAIT_MS = 120;

export function wireMentions(ticketId) {
  const form = document.getElementById("reply");
  const text = document.getElementById("reply-text");
  if (!form || !text || !ticketId) return;
  const list = document.createElement("ul");
  list.id = "mention-list";
  list.className = "mention-list list-group shadow-sm";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.dataset.mentionLabel || "Agents");
  list.hidden = true;
  text.insertAdjacentElement("afterend", list);
  text.setAttribute("aria-autocomplete", "list");
  text.setAttribute("aria-controls", list.id);
  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const noteMode = () => form.querySelector("input[name=mode]:checked")?.value === "note";
  const wordAtCaret = () => {
    const upto = text.value.slice(0, text.selectionStart);
    const m = /(^|[^\w@])@([\w.+-]{0,30})$/u.exec(upto);
    return m ? { query: m[2], start: upto.length - m[2].length - 1 } : null;
  };
  const close = () => {
    list.hidden = true;
    items = [];
    active = -1;
    text.removeAttribute("aria-activedescendant");
    text.setAttribute("aria-expanded", "false");
  };
  const render = () => {
    list.replaceChildren(...items.map((a, i) => {
      const li = document.createElement("li");
      li.id = `mention-${i}`;
      li.className = `list-group-item list-group-item-action py-1${i === active ? " active" : ""}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      const name = document.createElement("bdi");
      name.textContent = a.name;
      const user = document.createElement("span");
      user.className = "small ms-2 opacity-75";
      user.dir = "ltr";
      user.textContent = `@${a.username}`;
      li.append(name, user);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    list.hidden = items.length === 0;
    text.setAttribute("aria-expanded", items.length ? "true" : "false");
    if (active >= 0) text.setAttribute("aria-activedescendant", `mention-${active}`);
  };
  const pick = (i) => {
    const at = wordAtCaret();
    const agent = items[i];
    if (!at || !agent) return close();
    const insert = `@${agent.username} `;
    text.value = text.value.slice(0, at.start) + insert + text.value.slice(text.selectionStart);
    const caret = at.start + insert.length;
    text.setSelectionRange(caret, caret);
    close();
    text.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const lookUp = async () => {
    const at = noteMode() ? wordAtCaret() : null;
    if (!at) return close();
    const mine = ++asked;
    const url = `/t/${ticketId}/mentions/?q=${encodeURIComponent(at.query)}`;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" } });
      if (!res.ok || mine !== asked) return;
      items = (await res.json()).agents || [];
      active = items.length ? 0 : -1;
      render();
    } catch (err) {
      close();
    }
  };

  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, MIN_WAIT_MS);
  });
  text.addEventListener("blur", () => setTimeout(close, 150));
  // Registered before the reply box's own keys (Tab expands canned responses there).
  text.addEventListener("keydown", (e) => {
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      render();
    } else if (e.key === "Enter" || e.key === "Tab") {
      pick(active);
    } else if (e.key === "Escape") {
      close();
    } else {
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  });
}

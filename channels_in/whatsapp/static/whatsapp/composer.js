// WhatsApp's 24-hour window in the composer. Loaded by the inbox because the
// WhatsApp channel's spec lists it (inbox_scripts); the notice and the template
// picker come from whatsapp/_composer.html (inbox_templates). While the window is
// closed, Send is held back for replies (notes still go) and the picker sends an
// approved template instead.
const PERSIAN = (document.documentElement.lang || "").startsWith("fa");
const digits = (s) => (PERSIAN ? String(s).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(s));

function wirePicker(box) {
  const form = box.querySelector(".whatsapp-template-form");
  if (!form) return;
  const select = form.querySelector("select");
  const body = form.querySelector(".whatsapp-template-body");
  const values = form.querySelector(".whatsapp-template-values");
  const input = form.querySelector("#whatsapp-value-input");
  const label = JSON.parse(document.getElementById("whatsapp-value-label")?.textContent || '"{n}"');
  function show() {
    const option = select.selectedOptions[0];
    body.textContent = option ? option.dataset.body : "";
    values.replaceChildren();
    const count = option ? Number(option.dataset.values) : 0;
    for (let n = 1; n <= count; n++) {
      const field = input.content.firstElementChild.cloneNode(true);
      field.setAttribute("aria-label", label.replace("{n}", digits(n)));
      field.placeholder = label.replace("{n}", digits(n));
      values.append(field);
    }
  }
  select.addEventListener("change", show);
  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) form.reset(), show();
  });
  show();
}

// Delivered / read badges on the ticket's replies: the stored ones from the page,
// then live from the channel's whatsapp.status events, again after the timeline
// is swapped by htmx.
function wireStatuses(sock) {
  const read = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
  const statuses = read("whatsapp-statuses");
  const labels = read("whatsapp-status-labels");
  function badge(messageId, status) {
    const head = document.querySelector(`#m-${messageId} .msg-head`);
    if (!head || !labels[status]) return;
    let span = head.querySelector(".whatsapp-status");
    if (!span) {
      span = document.createElement("span");
      span.className = "whatsapp-status badge text-bg-light border";
      head.append(span);
    }
    span.dataset.status = status;
    span.textContent = labels[status];
  }
  const apply = () => Object.entries(statuses).forEach(([id, status]) => badge(id, status));
  sock?.addEventListener("event", (e) => {
    const ev = e.detail;
    if (ev.type !== "whatsapp.status" || !labels[ev.data.status]) return;
    if (statuses[ev.data.message_id] === "read") return; // never back to delivered
    statuses[ev.data.message_id] = ev.data.status;
    badge(ev.data.message_id, ev.data.status);
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.target?.id === "timeline") apply();
  });
  apply();
}

export function wire(sock) {
  if (document.getElementById("whatsapp-statuses")) wireStatuses(sock);
  const box = document.getElementById("whatsapp-window");
  const reply = document.getElementById("reply");
  if (!box || !reply) return;
  reply.after(box); // beside the reply form: the picker is a form of its own
  wirePicker(box);
  const open = box.dataset.open === "true";
  const sendButtons = [...reply.querySelectorAll("button[type=submit]")];
  function update() {
    const note = reply.querySelector("input[name=mode]:checked")?.value === "note";
    for (const button of sendButtons) button.disabled = !open && !note;
  }
  reply.addEventListener("change", update);
  update();
}

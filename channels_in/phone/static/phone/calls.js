// The phone pop-up: "call.ringing" shows the caller's card to the line's team;
// "call.answered" for me turns it into the call form; "call.ended" closes a card
// nobody here answered. Frames carry everything shown: no request on ringing.
// The inbox loads this module because the phone channel's spec lists it
// (inbox_scripts) and calls wire(); its markup, texts and URLs come from
// phone/_inbox_popup.html (inbox_templates).
function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

// Numbers the desk writes (ticket ids) in Persian digits in the Persian UI.
const PERSIAN = (document.documentElement.lang || "").startsWith("fa");
const num = (n) => (PERSIAN ? String(n).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(n));

// "#12 subject": the subject (a customer's words, in either script) isolated in <bdi>.
function ticketLabel(parent, t) {
  parent.append(`#${num(t.id)} `);
  parent.appendChild(el("bdi", {}, t.subject));
  return parent;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function wire(sock, ctx) {
  const box = document.getElementById("call-popup");
  if (!box) return;
  const s = JSON.parse(document.getElementById("phone-strings").textContent);
  const urls = box.dataset;
  const ticketUrl = (id) => urls.ticketUrl.replace("/0/", `/${id}/`);
  let current = null; // the call id shown

  sock.addEventListener("event", (e) => {
    const ev = e.detail;
    if (!ev.type.startsWith("call.")) return;
    const call = ev.data;
    if (ev.type === "call.ringing") ringing(call);
    else if (ev.type === "call.answered") answered(call);
    else if (ev.type === "call.ended") ended(call);
  });

  function card(call, title) {
    box.replaceChildren();
    box.dataset.callId = call.call_id;
    box.appendChild(el("h2", {}, title));
    box.appendChild(el("p", { class: "number", dir: "ltr" }, call.number));
    if (call.contact_id) {
      box.appendChild(el("p", { class: "caller", dir: "auto" }, call.contact_name));
    } else {
      const unknown = el("p", { class: "caller unknown" }, s.unknown_caller + " — ");
      unknown.appendChild(el("a", { href: `${urls.logUrl}?number=${encodeURIComponent(call.number)}` }, s.create_contact));
      box.appendChild(unknown);
    }
    if (call.open_tickets.length) {
      box.appendChild(el("h3", {}, s.open_tickets));
      const list = el("ul");
      for (const t of call.open_tickets) {
        const li = el("li");
        li.appendChild(ticketLabel(el("a", { href: ticketUrl(t.id) }), t));
        list.appendChild(li);
      }
      box.appendChild(list);
    }
    if (call.last_contacts.length) {
      box.appendChild(el("h3", {}, s.last_contacts));
      const list = el("ul");
      for (const c of call.last_contacts) {
        list.appendChild(el("li", {}, `${c.channel} · #${num(c.ticket_id)} · ${new Date(c.at).toLocaleString(document.documentElement.lang || undefined)}`));
      }
      box.appendChild(list);
    }
    const close = el("button", { type: "button", class: "close btn btn-sm btn-secondary" }, s.close);
    close.addEventListener("click", () => hide());
    box.appendChild(close);
    box.hidden = false;
    current = call.call_id;
  }

  function ringing(call) {
    if (current && current !== call.call_id && box.dataset.form === "1") return; // busy with a form
    box.dataset.form = "";
    card(call, call.direction === "in" ? s.incoming_call : s.outgoing_call);
  }

  function answered(call) {
    if (call.agent_id !== ctx.me) {
      if (current === call.call_id && box.dataset.form !== "1") hide();
      return;
    }
    card(call, s.call_in_progress);
    box.dataset.form = "1";
    const form = el("form", { class: "call-form" });
    const notes = el("textarea", { name: "notes", rows: "4", dir: "auto", class: "form-control", "aria-label": s.notes, placeholder: s.notes });
    const outcome = el("select", { name: "outcome", class: "form-select", "aria-label": s.outcome });
    for (const [value, label] of s.outcomes) outcome.appendChild(el("option", { value }, label));
    const ticket = el("select", { name: "ticket", class: "form-select", "aria-label": s.ticket });
    for (const t of call.open_tickets) ticket.appendChild(el("option", { value: String(t.id) }, `#${num(t.id)} ${t.subject}`));
    ticket.appendChild(el("option", { value: "new" }, s.follow_up));
    const save = el("button", { type: "submit", class: "btn btn-primary" }, s.save_call);
    form.append(notes, outcome, ticket, save);
    form.addEventListener("submit", (e) => { e.preventDefault(); submit(call.call_id, form); });
    box.appendChild(form);
    notes.focus();
  }

  function ended(call) {
    if (current !== call.call_id || box.dataset.form === "1") return;
    box.querySelector("h2").textContent = call.outcome === "answered" ? s.call_ended : s.missed_call;
    setTimeout(() => { if (current === call.call_id && box.dataset.form !== "1") hide(); }, 8000);
  }

  async function submit(callId, form) {
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(`${urls.callsUrl}${callId}/form/`, {
      method: "POST", body, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      form.appendChild(el("p", { class: "error mb-0", role: "alert" }, data.error || response.statusText));
      return;
    }
    box.dataset.form = "";
    hide();
    if (data.ticket_id) window.location.assign(ticketUrl(data.ticket_id));
  }

  function hide() {
    box.hidden = true;
    box.replaceChildren();
    current = null;
  }
}

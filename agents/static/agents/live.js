// Live updates: stored events refresh the affected fragments (htmx listens for
// the desk:* events on <body>); ephemeral frames drive viewers, typing, presence.
const VIEWER_TTL_MS = 45000;
const TYPING_TTL_MS = 6000;

export function fire(name) {
  document.body.dispatchEvent(new CustomEvent(name, { bubbles: true }));
}

function format(template, name) {
  return template.replace("{name}", name);
}

export class Live {
  constructor(sock, ctx) {
    this.sock = sock;
    this.ctx = ctx;
    this.viewers = new Map();
    this.typers = new Map();
    this.myState = "viewing";
    sock.addEventListener("event", (e) => this.route(e.detail));
    sock.addEventListener("resumed", (e) => this.resumed(e.detail));
    sock.addEventListener("watching", () => this.announce());
    sock.addEventListener("access", (e) => this.accessChanged(e.detail));
    setInterval(() => { this.announce(); this.render(); }, 15000);
    setInterval(() => this.render(), 2000);
  }

  resumed(detail) {
    // After a reconnect (or a truncated catch-up) refetch everything shown.
    if (detail.count > 0 || !detail.complete || this.sock.everOpened) {
      fire("desk:list-changed");
      if (this.ctx.ticket) fire("desk:ticket-changed");
    }
  }

  accessChanged(detail) {
    // Teams or rights changed: the list, and a ticket we may no longer read (its
    // fragments now answer 404), are fetched again from the server.
    fire("desk:list-changed");
    if (this.ctx.ticket && (detail.unwatched || []).includes(this.ctx.ticket)) {
      fire("desk:ticket-changed");
    }
  }

  route(ev) {
    if (ev.type.startsWith("notification")) return; // the bell's (notifications.js)
    const data = ev.data || {};
    if (ev.type === "typing") return this.typing(data);
    if (ev.type === "viewing") return this.viewing(data);
    if (ev.type === "presence") return this.presence(data);
    const ticketId = ev.ticket_id || data.ticket_id;
    if (this.ctx.ticket && (ticketId === this.ctx.ticket || data.merged_into === this.ctx.ticket)) {
      fire("desk:ticket-changed");
    }
    if (ev.type === "ticket.status_changed") this.contactTicketStatus(ticketId, data.status);
    // A survey answer shows on the contact card too (agents/_contact_surveys.html).
    if (ev.type.startsWith("contact.") || ev.type === "survey.answered") {
      if ([data.contact_id, data.merged_into].includes(this.ctx.contact)) fire("desk:contact-changed");
    }
    if (ev.type !== "message.delivery") fire("desk:list-changed");
  }

  contactTicketStatus(ticketId, status) {
    // The contact sidebar lists this customer's tickets: keep their statuses current.
    const badge = document.querySelector(`#contact [data-ticket-id="${ticketId}"] .contact-ticket-status`);
    if (!badge || !status) return;
    badge.textContent = (this.ctx.strings.statuses || {})[status] || status;
    badge.dataset.status = status;
    badge.className = `contact-ticket-status badge status-badge status-badge-${status}`;
  }

  viewing(data) {
    if (data.ticket_id !== this.ctx.ticket || data.agent_id === this.ctx.me) return;
    if (data.state === "left") {
      this.viewers.delete(data.agent_id);
    } else {
      const isNew = !this.viewers.has(data.agent_id);
      this.viewers.set(data.agent_id, { name: data.name, state: data.state, at: Date.now() });
      if (isNew) this.announce(); // let the newcomer know we are here too
    }
    this.render();
  }

  typing(data) {
    if (data.ticket_id !== this.ctx.ticket) return;
    if (data.author_kind === "agent" && data.agent_id === this.ctx.me) return;
    const key = data.author_kind === "agent" ? `a${data.agent_id}` : "contact";
    if (data.active === false) this.typers.delete(key);
    else this.typers.set(key, { data, at: Date.now() });
    this.render();
  }

  presence(data) {
    const item = document.querySelector(`#team-presence [data-agent-id="${data.agent_id}"] .dot`);
    if (item) item.className = `dot presence-${data.presence}`;
    if (data.agent_id === this.ctx.me) {
      const select = document.getElementById("presence");
      if (select) select.value = data.presence;
      const dot = document.getElementById("my-presence-dot");
      if (dot) dot.className = `dot presence-${data.presence}`;
    }
  }

  setMyState(state) {
    if (state === this.myState) return;
    this.myState = state;
    this.announce();
  }

  announce() {
    if (!this.ctx.ticket) return;
    this.sock.send({ action: "viewing", ticket_id: this.ctx.ticket, state: this.myState });
  }

  render() {
    // One entry per other agent: what they do now (writing a note, replying,
    // or only viewing), never two sentences for the same person.
    const s = this.ctx.strings;
    const now = Date.now();
    const typing = new Map();
    let customerTyping = false;
    for (const [key, t] of this.typers) {
      if (now - t.at > TYPING_TTL_MS) { this.typers.delete(key); continue; }
      if (key === "contact") customerTyping = true;
      else typing.set(t.data.agent_id, t.data);
    }
    const agents = [];
    for (const [id, v] of this.viewers) {
      if (now - v.at > VIEWER_TTL_MS) { this.viewers.delete(id); continue; }
      const t = typing.get(id);
      typing.delete(id);
      if (t) agents.push(format(t.mode === "note" ? s.typing_note : s.typing_reply, t.name));
      else agents.push(format(v.state === "replying" ? s.replying : s.viewing, v.name));
    }
    for (const t of typing.values()) {
      agents.push(format(t.mode === "note" ? s.typing_note : s.typing_reply, t.name));
    }
    const v = document.getElementById("viewers");
    const t = document.getElementById("typing");
    if (v) v.textContent = agents.join(" · ");
    if (t) t.textContent = customerTyping ? s.customer_typing : "";
  }
}

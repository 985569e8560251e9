// The SMS counter under the composer: segments, characters and an estimated cost
// while the agent types a reply on an SMS ticket, and Send held back once the
// reply is longer than the inbox allows. Loaded by the inbox because the SMS
// channel's spec lists it (inbox_scripts); its settings and texts come from
// sms/_composer.html (inbox_templates). Counting follows channels_in/sms/segments.py.
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENSION = new Set("^{}\\[~]|€\f");

export function count(text) {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c));
  // UCS-2 counts UTF-16 code units: text.length is exactly that.
  const units = gsm ? chars.reduce((n, c) => n + (GSM_EXTENSION.has(c) ? 2 : 1), 0) : text.length;
  const [single, part] = gsm ? [160, 153] : [70, 67];
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / part);
  return { gsm, units, segments, limit: segments <= 1 ? single : segments * part };
}

const PERSIAN = (document.documentElement.lang || "").startsWith("fa");
const digits = (s) => (PERSIAN ? String(s).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(s));
const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (m, name) => (name in values ? digits(values[name]) : m));

export function wire(sock) {
  wireStatuses(sock);
  wireCounter();
}

// What the provider said of each text after "sent" (delivered, not delivered): a
// badge beside the desk's own delivery badge, kept live by "sms.status" events
// and put back after every refresh of the timeline.
function wireStatuses(sock) {
  const data = document.getElementById("sms-statuses");
  if (!data) return;
  const state = JSON.parse(data.textContent);
  const apply = () => {
    for (const [id, status] of Object.entries(state.messages)) {
      const head = document.querySelector(`#m-${id} .msg-head`);
      if (!head) continue;
      let badge = head.querySelector(".sms-status");
      if (!badge) {
        badge = document.createElement("span");
        head.appendChild(badge);
      }
      badge.className = `sms-status badge text-bg-light border sms-status-${status}`;
      badge.dataset.smsStatus = status;
      badge.textContent = state.labels[status] || status;
    }
  };
  sock?.addEventListener("event", (e) => {
    const ev = e.detail;
    if (ev.type !== "sms.status" || ev.data.ticket_id !== state.ticket_id) return;
    state.messages[String(ev.data.message_id)] = ev.data.status;
    apply();
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target.id === "timeline") apply();
  });
  apply();
}

function wireCounter() {
  const data = document.getElementById("sms-composer");
  const counter = document.getElementById("sms-counter");
  const form = document.getElementById("reply");
  const box = document.getElementById("reply-text");
  if (!data || !counter || !form || !box) return;
  const cfg = JSON.parse(data.textContent);
  form.querySelector(".reply-tools")?.after(counter);
  const sendButtons = [...form.querySelectorAll("button[type=submit]")];

  function update() {
    const reply = form.querySelector("input[name=mode]:checked")?.value !== "note";
    const c = count(box.value.trim());
    const over = reply && c.segments > cfg.max_segments;
    counter.hidden = !reply || c.segments === 0;
    counter.classList.toggle("text-danger", over);
    counter.classList.toggle("text-body-secondary", !over);
    const price = Number(c.gsm ? cfg.cost_gsm : cfg.cost_ucs2) * c.segments;
    counter.textContent = over
      ? fill(cfg.strings.over, { segments: c.segments, max: cfg.max_segments })
      : fill(cfg.strings.count, {
          segments: c.segments,
          units: c.units,
          limit: c.limit,
          cost: price.toLocaleString("en-US", { maximumFractionDigits: 2 }),
          currency: cfg.currency,
        });
    for (const button of sendButtons) button.disabled = over;
  }
  box.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("htmx:afterRequest", () => setTimeout(update, 0));
  update();
}

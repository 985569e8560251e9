// The inbox on a phone shows one pane at a time (list → conversation → customer,
// see inbox.css); the list and the ticket are separate URLs already, and the
// customer pane is the ticket's URL with #customer, so the browser's back button
// walks the same way back. Also: bulk selection and the attachment count.

export function wirePanes() {
  const layout = document.getElementById("layout");
  if (!layout || !layout.classList.contains("with-ticket")) return;
  const show = () => {
    layout.dataset.pane = location.hash === "#customer" ? "customer" : "conversation";
  };
  window.addEventListener("hashchange", show);
  show();
  document.querySelector(".back-to-ticket")?.addEventListener("click", (e) => {
    e.preventDefault();
    // Came here by the Customer button: go back in history, else drop the hash.
    if (history.state?.customer) history.back();
    else history.replaceState(null, "", location.pathname + location.search);
    show();
  });
  document.querySelector(".show-customer")?.addEventListener("click", (e) => {
    e.preventDefault();
    history.pushState({ customer: true }, "", "#customer");
    show();
    window.scrollTo(0, 0);
  });
}

function format(template, n, ctx) {
  const text = template.replace("{n}", String(n));
  return ctx.strings.digits ? text.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : text;
}

export function wireBulk(ctx) {
  const form = document.getElementById("bulk");
  const all = document.getElementById("select-all");
  const count = document.getElementById("selected-count");
  const op = document.getElementById("bulk-op");
  if (!form || !all) return;
  const boxes = () => [...document.querySelectorAll('#rows input[name=ids][form=bulk]')];
  const update = () => {
    const list = boxes();
    const checked = list.filter((b) => b.checked).length;
    all.checked = list.length > 0 && checked === list.length;
    all.indeterminate = checked > 0 && checked < list.length;
    count.textContent = checked ? format(ctx.strings.selected, checked, ctx) : "";
  };
  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
    update();
  });
  document.getElementById("list")?.addEventListener("change", (e) => {
    if (e.target.matches("input[name=ids]")) update();
  });
  // The list is refreshed live: ticks are kept across the swap of fresh rows.
  let ticked = new Set();
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.target.id === "list") ticked = new Set(boxes().filter((b) => b.checked).map((b) => b.value));
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target.id !== "list") return;
    for (const box of boxes()) box.checked = ticked.has(box.value);
    update();
  });
  const showFields = () => {
    for (const field of form.querySelectorAll("[data-bulk-for]")) field.hidden = field.dataset.bulkFor !== op.value;
  };
  op.addEventListener("change", showFields);
  showFields();
  form.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== form || !e.detail.successful) return;
    for (const box of boxes()) box.checked = false;
    update();
  });
}

export function wireFiles(ctx) {
  const input = document.getElementById("reply-files");
  const count = document.getElementById("reply-files-count");
  input?.addEventListener("change", () => {
    const n = input.files.length;
    count.textContent = n ? `(${format(ctx.strings.files, n, ctx)})` : "";
  });
}

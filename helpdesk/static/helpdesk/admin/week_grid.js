// Week grid for business hours: per day closed, or open in one or more intervals; an
// interval ending before it starts runs past midnight (22:00-06:00). Writes
// {"sat": [["08:00", "17:00"]], ...} into the hidden JSON input (helpdesk/automation/weekly.py).

import { button, el, labelled, readJSON } from "./dom.js";

function intervalRow(t, [from, to], onChange) {
  const start = el("input", { type: "time", value: from || "09:00", required: true });
  const end = el("input", { type: "time", value: to || "17:00", required: true });
  const note = el("span", { class: "hd-note", "aria-live": "polite" });
  const remove = button(t.remove, { class: "button hd-remove" });
  const row = el("li", { class: "hd-interval" }, labelled(t.from, start), labelled(t.to, end), note, remove);
  const mark = () => {
    note.textContent = start.value && end.value && end.value <= start.value ? t.next_day : "";
  };
  row.addEventListener("input", mark);
  mark();
  remove.addEventListener("click", () => {
    row.remove();
    onChange();
  });
  row.read = () => (start.value && end.value ? [start.value, end.value] : null);
  return row;
}

/** A checkbox with its label beside it (not above, as for the other controls). */
function checkbox(text, input) {
  const control = labelled(text, input);
  control.classList.add("hd-check");
  control.append(control.firstChild); // the label after the box
  return control;
}

function dayBox(t, [day, label], intervals, onChange) {
  const open = el("input", { type: "checkbox", checked: intervals.length > 0 });
  const list = el("ol", { class: "hd-intervals" });
  const more = button(t.add_interval);
  const box = el(
    "fieldset",
    { class: "hd-day", "data-day": day },
    el("legend", { text: label }),
    checkbox(t.open, open),
    list,
    more,
  );
  const add = (interval) => list.append(intervalRow(t, interval, onChange));
  intervals.forEach(add);
  const show = () => {
    list.hidden = more.hidden = !open.checked;
  };
  open.addEventListener("change", () => {
    if (open.checked && !list.children.length) add([]);
    show();
  });
  more.addEventListener("click", () => {
    add([]);
    onChange();
  });
  show();
  box.read = () => (open.checked ? [...list.children].map((r) => r.read()).filter(Boolean) : []);
  return box;
}

function wire(box) {
  const config = JSON.parse(box.dataset.hdConfig);
  const input = box.querySelector("[data-hd-json]");
  const stored = readJSON(input, {});
  const week = el("div", { class: "hd-week" });
  const write = () => {
    input.value = JSON.stringify(
      Object.fromEntries([...week.children].map((d) => [d.dataset.day, d.read()])),
    );
  };
  for (const day of config.days) week.append(dayBox(config.labels, day, stored[day[0]] || [], write));
  box.querySelector("[data-hd-body]").append(week);
  box.addEventListener("input", write);
  box.addEventListener("change", write);
  write();
}

document.querySelectorAll('[data-hd-editor="week"]').forEach(wire);

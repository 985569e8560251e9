// Rule editor: rows of (field, operator, value) and (action, parameters) over the hidden
// JSON input of helpdesk/automation/widgets.py. The server validates what it receives
// with the engine's schema (helpdesk/automation/schema.py); this only builds it.

import { button, el, labelled, readJSON, select, uid } from "./dom.js";

const WORD_OPS = new Set(["contains", "not_contains"]);

/** A value control that fits the kind; `read()` gives back the JSON value. */
function valueControl(config, kind, optionsName, op, value, label) {
  const items = config.options[optionsName] || [];
  const t = config.labels;
  if (kind === "languages") {
    const texts = value && typeof value === "object" ? value : { en: typeof value === "string" ? value : "" };
    const boxes = config.languages.map(([code, name]) => [
      code,
      el("textarea", { rows: 2, dir: "auto", class: "hd-text", text: texts[code] || "" }),
      name,
    ]);
    const wrap = el("span", { class: "hd-languages" }, ...boxes.map(([, box, name]) => labelled(`${label} (${name})`, box)));
    wrap.read = () =>
      Object.fromEntries(boxes.map(([code, box]) => [code, box.value.trim()]).filter(([, text]) => text));
    return wrap;
  }
  if (kind === "id" || kind === "choice") {
    const multiple = op === "in";
    const node = select(items, value, { multiple, empty: t.choose });
    const wrap = labelled(label, node);
    wrap.read = node.pick;
    return wrap;
  }
  if (kind === "int") {
    const node = el("input", { type: "number", min: 1, step: 1, inputmode: "numeric", value: value ?? "" });
    const wrap = labelled(label, node);
    wrap.read = () => (node.value === "" ? null : Number(node.value));
    return wrap;
  }
  // Free text; "contains" takes several words separated by commas (any of them matches).
  const words = Array.isArray(value) ? value.join(", ") : (value ?? "");
  const node = el("input", { type: "text", dir: "auto", class: "hd-text", value: words });
  let list = null;
  if (items.length) {
    list = el("datalist", { id: uid("hd-list") }, ...items.map(([v]) => el("option", { value: v })));
    node.setAttribute("list", list.id);
  }
  const wrap = labelled(WORD_OPS.has(op) ? `${label} (${t.comma})` : label, node);
  if (list) wrap.append(list);
  wrap.read = () => {
    if (!WORD_OPS.has(op)) return node.value.trim();
    const parts = node.value.split(/[,،]/).map((w) => w.trim()).filter(Boolean);
    return parts.length === 1 ? parts[0] : parts;
  };
  return wrap;
}

function conditionRow(config, cond, onChange) {
  const t = config.labels;
  const fieldItems = Object.entries(config.fields).map(([name, spec]) => [name, spec.label]);
  const field = select(fieldItems, cond.field ?? "", { empty: t.choose });
  const slot = el("span", { class: "hd-slot" });
  const row = el("li", { class: "hd-row" }, labelled(t.field, field), slot);
  let op = null;
  let name = null;
  let value = null;

  const buildValue = (current) => {
    value?.remove();
    const spec = config.fields[field.pick()];
    value = spec ? valueControl(config, spec.kind, spec.options, op.pick(), current, t.value) : null;
    if (value) slot.append(value);
  };
  const build = (current) => {
    slot.replaceChildren();
    const spec = config.fields[field.pick()];
    if (!spec) return;
    const ops = spec.ops.map((o) => [o, config.ops[o]]);
    op = select(ops, spec.ops.includes(current.op) ? current.op : spec.ops[0], { empty: null });
    slot.append(labelled(t.operator, op));
    name = null;
    if (field.pick() === "contact.attribute" || field.pick() === "ticket.attribute") {
      name = el("input", { type: "text", dir: "auto", value: current.name ?? "" });
      slot.append(labelled(t.attribute, name));
    }
    op.addEventListener("change", () => {
      buildValue(value ? value.read() : null);
      onChange();
    });
    buildValue(current.value);
  };
  field.addEventListener("change", () => {
    build({});
    onChange();
  });
  build(cond);
  row.read = () => {
    const out = { field: field.pick(), op: op ? op.pick() : "is", value: value ? value.read() : null };
    if (name) out.name = name.value.trim();
    return out;
  };
  return row;
}

function actionRow(config, action, onChange) {
  const t = config.labels;
  const items = Object.entries(config.actions).map(([type, spec]) => [type, spec.label]);
  const type = select(items, action.type ?? "", { empty: t.choose });
  const slot = el("span", { class: "hd-slot" });
  const row = el("li", { class: "hd-row" }, labelled(t.action, type), slot);
  let params = [];
  const build = (current) => {
    slot.replaceChildren();
    const spec = config.actions[type.pick()];
    params = (spec ? spec.params : []).map((p) => [
      p.name,
      valueControl(config, p.kind, p.options, "is", current[p.name], p.label),
    ]);
    slot.append(...params.map(([, control]) => control));
  };
  type.addEventListener("change", () => {
    build({});
    onChange();
  });
  build(action);
  row.read = () => ({ type: type.pick(), ...Object.fromEntries(params.map(([n, c]) => [n, c.read()])) });
  return row;
}

function wire(box) {
  const config = JSON.parse(box.dataset.hdConfig);
  const t = config.labels;
  const input = box.querySelector("[data-hd-json]");
  const conditions = box.dataset.hdEditor === "conditions";
  const rows = el("ol", { class: "hd-rows" });
  const write = () => {
    input.value = JSON.stringify([...rows.children].map((row) => row.read()));
  };
  const add = (item) => {
    const row = conditions ? conditionRow(config, item, write) : actionRow(config, item, write);
    const remove = button(t.remove, { class: "button hd-remove", "aria-label": t.remove_row });
    remove.addEventListener("click", () => {
      row.remove();
      write();
    });
    row.append(remove);
    rows.append(row);
  };
  const stored = readJSON(input, []);
  (Array.isArray(stored) ? stored : []).forEach(add);
  const more = button(conditions ? t.add_condition : t.add_action);
  more.addEventListener("click", () => {
    add({});
    write();
    rows.lastElementChild.querySelector("select")?.focus();
  });
  box.querySelector("[data-hd-body]").append(rows, more);
  // The server refused this row (the form's error names it): outline it.
  const bad = rows.children[Number(input.dataset.hdErrorRow ?? -1)];
  if (bad) {
    bad.classList.add("hd-row-error");
    bad.querySelectorAll("select, input, textarea").forEach((c) => c.setAttribute("aria-invalid", "true"));
  }
  box.addEventListener("input", write);
  box.addEventListener("change", write);
}

document.querySelectorAll('[data-hd-editor="conditions"], [data-hd-editor="actions"]').forEach(wire);

// Small DOM helpers shared by the admin editors (rule editor, week grid, holidays).

let counter = 0;

/** A unique id for a control built at run time (labels point at it). */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** document.createElement with attributes and children; no inline style, no HTML strings. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A labelled control: <span class="hd-control"><label for=id>…</label><control></span>. */
export function labelled(labelText, control) {
  if (!control.id) control.id = uid("hd");
  return el(
    "span",
    { class: "hd-control" },
    el("label", { for: control.id, text: labelText }),
    control,
  );
}

/** A <select> over [[value, label], ...]; values keep their JSON type through `pick`. */
export function select(items, chosen, { multiple = false, empty = "" } = {}) {
  const node = el("select", { multiple });
  if (!multiple && empty !== null) node.append(el("option", { value: "", text: empty || "—" }));
  const wanted = new Set((Array.isArray(chosen) ? chosen : [chosen]).map(String));
  for (const [value, label] of items) {
    node.append(el("option", { value: String(value), text: label, selected: wanted.has(String(value)) }));
  }
  if (multiple) node.size = Math.min(Math.max(items.length, 2), 6);
  node.pick = () => {
    const byKey = new Map(items.map(([value]) => [String(value), value]));
    const picked = [...node.selectedOptions].filter((o) => o.value !== "").map((o) => byKey.get(o.value));
    return multiple ? picked : (picked[0] ?? null);
  };
  return node;
}

export function button(text, attrs = {}) {
  return el("button", { type: "button", class: "button hd-button", ...attrs, text });
}

/** The JSON in the editor's hidden input, or `fallback` when it is empty or not JSON. */
export function readJSON(input, fallback) {
  try {
    const value = JSON.parse(input.value || "null");
    return value ?? fallback;
  } catch {
    return fallback;
  }
}

// Holidays of business hours: picked on a Jalali calendar in Persian (the vendored
// @majidh1/jalalidatepicker, converted with jalaali-js), a date input in English;
// stored as ISO dates (YYYY-MM-DD) in the hidden JSON input.

import { isValidJalaaliDate, toGregorian, toJalaali } from "../../vendor/jalaali-js/jalaali.js";
import { button, el, labelled, readJSON } from "./dom.js";

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
const ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";

function latinDigits(text) {
  return text.replace(/[۰-۹٠-٩]/g, (d) => String(Math.max(PERSIAN_DIGITS.indexOf(d), ARABIC_DIGITS.indexOf(d))));
}

const pad = (n) => String(n).padStart(2, "0");

/** "1406/01/01" (any digits) to "2027-03-21", or null. */
export function jalaliToIso(text) {
  const parts = latinDigits(text.trim()).split(/[/\-.]/).map(Number);
  if (parts.length !== 3 || !isValidJalaaliDate(parts[0], parts[1], parts[2])) return null;
  const { gy, gm, gd } = toGregorian(parts[0], parts[1], parts[2]);
  return `${gy}-${pad(gm)}-${pad(gd)}`;
}

function formatter(persian) {
  const locale = persian ? "fa-IR-u-ca-persian" : "en-GB";
  return new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function wire(box) {
  const config = JSON.parse(box.dataset.hdConfig);
  const t = config.labels;
  const persian = box.dataset.hdLang.startsWith("fa");
  const input = box.querySelector("[data-hd-json]");
  const days = new Set((readJSON(input, []) || []).filter((d) => typeof d === "string"));
  const format = formatter(persian);
  const list = el("ul", { class: "hd-chips" });
  const empty = el("p", { class: "help", text: t.none });
  const example = `${toJalaali(new Date()).jy}/01/01`.replace(/\d/g, (d) => PERSIAN_DIGITS[d]);
  const picker = persian
    ? el("input", { type: "text", "data-jdp": true, inputmode: "none", autocomplete: "off", placeholder: example, dir: "ltr" })
    : el("input", { type: "date" });
  const error = el("span", { class: "hd-error", role: "alert" });
  const add = button(t.add);

  const render = () => {
    list.replaceChildren(
      ...[...days].sort().map((iso) => {
        const shown = format.format(new Date(`${iso}T12:00:00Z`));
        const remove = button(t.remove, { class: "button hd-remove", "aria-label": `${t.remove} ${shown}` });
        remove.addEventListener("click", () => {
          days.delete(iso);
          render();
        });
        return el("li", { class: "hd-chip" }, el("time", { datetime: iso, text: shown }), remove);
      }),
    );
    empty.hidden = days.size > 0;
    input.value = JSON.stringify([...days].sort());
  };
  add.addEventListener("click", () => {
    const iso = persian ? jalaliToIso(picker.value) : picker.value;
    error.textContent = iso ? "" : t.invalid;
    if (!iso) return;
    days.add(iso);
    picker.value = "";
    render();
  });
  const adder = el("div", { class: "hd-add-holiday" }, labelled(t.pick, picker), add, error);
  box.querySelector("[data-hd-body]").append(list, empty, adder);
  render();
}

const boxes = document.querySelectorAll('[data-hd-editor="holidays"]');
boxes.forEach(wire);
if (boxes.length && window.jalaliDatepicker) {
  window.jalaliDatepicker.startWatch({ persianDigits: true, autoShow: true, zIndex: 2000 });
}

// Snooze: in Persian a Jalali date-time picker (@majidh1/jalalidatepicker, a
// classic script loaded by the page) whose "1405/09/12 14:30" is turned into the
// Gregorian "2026-12-03T14:30" the server expects, the same value the English
// page's native datetime-local input sends. The time is the agent's own zone.

const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
const ARABIC = "٠١٢٣٤٥٦٧٨٩";

function latinDigits(text) {
  return text.replace(/[۰-۹٠-٩]/g, (d) => String(Math.max(PERSIAN.indexOf(d), ARABIC.indexOf(d))));
}

const pad = (n) => String(n).padStart(2, "0");

export function jalaliToIso(text, toGregorian) {
  const m = latinDigits(text.trim()).match(/^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?/);
  if (!m) return "";
  const [jy, jm, jd] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const { gy, gm, gd } = toGregorian(jy, jm, jd);
  return `${gy}-${pad(gm)}-${pad(gd)}T${pad(m[4] ?? 9)}:${m[5] ?? "00"}`;
}

export async function wireSnooze(jalaaliUrl) {
  if (!jalaaliUrl || !window.jalaliDatepicker) return; // English page: the native picker
  const { toGregorian } = await import(jalaaliUrl);
  window.jalaliDatepicker.startWatch({
    time: true,
    hasSecond: false,
    persianDigits: true,
    minDate: "today",
    zIndex: 2000,
    container: "body",
  });
  // The form is re-rendered by htmx when the ticket changes: listen on the body.
  document.body.addEventListener("htmx:configRequest", (e) => {
    if (e.detail.elt?.id !== "snooze-form") return;
    const text = document.getElementById("snooze-until")?.value || "";
    const iso = jalaliToIso(text, toGregorian);
    e.detail.parameters.set("until", iso);
  });
}

// The tasks page: the Jalali due-date picker in Persian (its text turned into the
// ISO time the server expects, like the inbox's snooze), a form cleared after it
// was saved, and a refused action's reason shown under the form.
import { jalaliToIso } from "./snooze.js";

const body = document.body;

async function wireJalali(url) {
  if (!url || !window.jalaliDatepicker) return; // English: the native picker
  const { toGregorian } = await import(url);
  window.jalaliDatepicker.startWatch({
    time: true,
    hasSecond: false,
    persianDigits: true,
    zIndex: 2000,
    container: "body",
  });
  body.addEventListener("htmx:configRequest", (e) => {
    for (const input of e.detail.elt?.querySelectorAll?.("[data-jalali-for]") ?? []) {
      e.detail.parameters.set(input.dataset.jalaliFor, jalaliToIso(input.value, toGregorian));
    }
  });
}

body.addEventListener("htmx:afterRequest", (e) => {
  const form = e.detail.elt;
  const error = document.getElementById("task-error");
  if (e.detail.successful && form?.matches?.("form[data-reset]")) {
    form.reset();
    if (error) error.hidden = true;
  } else if (!e.detail.successful && error) {
    error.textContent = e.detail.xhr.responseText || e.detail.xhr.statusText;
    error.hidden = false;
  }
});

wireJalali(body.dataset.jalaaliUrl);

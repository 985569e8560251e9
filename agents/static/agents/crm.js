// Contacts pages: the Jalali date picker for date attributes in Persian (the page
// loads @majidh1/jalalidatepicker as a classic script only in Persian; the server
// reads the Jalali date it writes), and "tick all" for the bulk actions.

if (window.jalaliDatepicker) {
  window.jalaliDatepicker.startWatch({ persianDigits: true, zIndex: 2000, container: "body" });
}

const all = document.getElementById("tick-all");
if (all) {
  all.addEventListener("change", () => {
    for (const box of document.querySelectorAll("input[name=ids][form=bulk-form]")) {
      box.checked = all.checked;
    }
  });
}

// After an inline edit (htmx answers 204 with an event), show the saved values.
document.body.addEventListener("desk:contact-changed", () => {
  if (document.querySelector(".contact-page")) window.location.reload();
});

// The portal's file pickers: the chosen files' names (or their count) beside the
// translated button, since the native input, whose words are the browser's, is hidden.
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US");

function show(input) {
  const out = document.getElementById(`${input.id}-chosen`);
  if (!out) return;
  const files = [...input.files];
  if (files.length === 0) {
    out.textContent = out.dataset.none;
  } else if (files.length === 1) {
    const name = document.createElement("bdi");
    name.textContent = files[0].name;
    out.replaceChildren(name);
  } else {
    out.textContent = out.dataset.many.replace("#", numbers.format(files.length));
  }
}

for (const input of document.querySelectorAll(".portal-files input[type=file]")) {
  input.addEventListener("change", () => show(input));
  show(input); // a form shown again after an error, or the back button, may keep files
}

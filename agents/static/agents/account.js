// The account menu on every agent page: the theme switches at once (saved on the
// agent in the background, so the choice follows the agent to other devices).
// Without scripts the form posts and the page reloads with the new theme.
const form = document.getElementById("theme-form");

form?.addEventListener("submit", async (e) => {
  const button = e.submitter;
  if (!button || button.name !== "theme") return;
  e.preventDefault();
  const body = new FormData(form);
  body.set("theme", button.value);
  const response = await fetch(form.action, {
    method: "POST",
    body,
    headers: { "HX-Request": "true" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  document.documentElement.dataset.themeChoice = button.value;
  for (const other of form.querySelectorAll("button[name=theme]")) {
    const on = other === button;
    other.classList.toggle("active", on);
    other.setAttribute("aria-pressed", String(on));
  }
});

// The inbox's panes fill the window under the top bar, whatever its height.
const top = document.querySelector(".desk-top");
if (top) {
  const measure = () => document.documentElement.style.setProperty("--desk-top", `${top.offsetHeight}px`);
  new ResizeObserver(measure).observe(top);
  measure();
}

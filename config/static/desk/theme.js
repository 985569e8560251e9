// Light or dark before the first paint (a classic script in <head>, so no flash).
// <html data-theme-choice="auto|light|dark"> carries the agent's choice from the
// server; "auto" follows the system setting and keeps following it while open.
(() => {
  const root = document.documentElement;
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    const choice = root.dataset.themeChoice || "auto";
    const dark = choice === "dark" || (choice === "auto" && media.matches);
    root.setAttribute("data-bs-theme", dark ? "dark" : "light");
  };
  apply();
  media.addEventListener("change", apply);
  new MutationObserver(apply).observe(root, { attributes: true, attributeFilter: ["data-theme-choice"] });
})();

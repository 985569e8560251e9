// SLA countdown badges (inbox rows, ticket header): the server renders the text once,
// this keeps it current between list refreshes. Numbers and words come from
// Intl.RelativeTimeFormat in the page's language (Persian digits in Persian).
const lang = document.documentElement.lang || "en";
const relative = new Intl.RelativeTimeFormat(lang, { numeric: "always", style: "short" });

function phrase(ms) {
  const minutes = Math.round(ms / 60000);
  const abs = Math.abs(minutes);
  if (abs >= 1440) return relative.format(Math.trunc(minutes / 1440), "day");
  if (abs >= 60) return relative.format(Math.trunc(minutes / 60), "hour");
  return relative.format(minutes, "minute");
}

export function refreshBadges(root = document) {
  const now = Date.now();
  for (const badge of root.querySelectorAll(".sla-badge[data-sla-due]")) {
    const text = badge.querySelector(".sla-text");
    const due = Date.parse(badge.dataset.slaDue);
    if (!text || Number.isNaN(due)) continue;
    text.textContent = phrase(due - now);
    // A running target whose time is up turns red before the scheduler's event arrives.
    if (due <= now && badge.dataset.slaStatus !== "breached") {
      badge.classList.remove("text-bg-light", "text-bg-warning", "border");
      badge.classList.add("text-bg-danger");
    }
  }
}

refreshBadges();
setInterval(refreshBadges, 30000);
document.body.addEventListener("htmx:afterSwap", (e) => refreshBadges(e.target));

// Search as you type on the help portal: asks /api/v1/kb/search and lists the
// best matches under the search box. Snippets arrive as escaped HTML with <mark>.
const input = document.getElementById("kb-q");
const list = document.getElementById("kb-live");

function render(results) {
  list.replaceChildren();
  for (const item of results) {
    const li = document.createElement("li");
    li.className = "list-group-item";
    const link = document.createElement("a");
    link.href = item.url;
    link.className = "fw-semibold";
    link.textContent = item.title;
    const snippet = document.createElement("p");
    snippet.className = "mb-0 text-body-secondary";
    snippet.innerHTML = item.snippet; // server-escaped text plus <mark> only
    li.append(link, snippet);
    list.append(li);
  }
  list.hidden = results.length === 0;
}

if (input && list) {
  let timer = 0;
  let controller = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value;
      if (q.trim().length < 2) { render([]); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      const url = `${input.dataset.api}?${new URLSearchParams({ q, locale: input.dataset.locale, limit: "6" })}`;
      try {
        const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
        if (response.ok) render((await response.json()).results);
      } catch (error) {
        if (error.name !== "AbortError") render([]);
      }
    }, 180);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") render([]);
  });
}

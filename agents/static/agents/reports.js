// The reports page: Chart.js charts from the page's JSON (#report-data), every bar
// and point a link to the conversations behind it, the weekday x hour heatmap, and
// in Persian the Jalali date picker on the period (the server reads Jalali dates).
const meta = document.getElementById("report-meta");
const dataNode = document.getElementById("report-data");
const data = dataNode ? JSON.parse(dataNode.textContent) : null;
const rtl = meta?.dataset.rtl === "1";
const lang = meta?.dataset.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US", { maximumFractionDigits: 1 });

if (window.jalaliDatepicker) {
  window.jalaliDatepicker.startWatch({ persianDigits: true, zIndex: 2000, container: "body" });
}

function drill(point) {
  if (point?.drill) window.location.assign(`${meta.dataset.drill}?${point.drill}`);
}

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function chart(id, type, series) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return null;
  const first = series[0].points;
  const text = css("--bs-body-color");
  const grid = css("--bs-border-color");
  const instance = new window.Chart(canvas, {
    type,
    data: {
      labels: first.map((p) => p.label),
      datasets: series.map((s) => ({
        label: s.label,
        data: s.points.map((p) => (p.value === null ? null : p.value / (s.scale || 1))),
        backgroundColor: s.color,
        borderColor: s.color,
        spanGaps: true,
      })),
    },
    options: {
      locale: lang === "fa" ? "fa-IR" : "en-US",
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { reverse: rtl, ticks: { color: text }, grid: { color: grid } },
        y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } },
      },
      plugins: {
        legend: { rtl, labels: { color: text } },
        tooltip: { rtl, callbacks: { label: (c) => `${c.dataset.label}: ${numbers.format(c.parsed.y)}` } },
      },
      onClick: (_event, elements) => {
        const hit = elements[0];
        if (hit) drill(series[hit.datasetIndex].points[hit.index]);
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
    },
  });
  canvas.dataset.rendered = "1";
  return instance;
}

function heatmap(grid, weekStart) {
  const body = document.querySelector("#heatmap tbody");
  if (!body || !grid) return;
  const names = [];
  const format = new Intl.DateTimeFormat(lang === "fa" ? "fa-IR" : "en-US", { weekday: "short" });
  for (let i = 0; i < 7; i++) {
    // 2024-01-01 was a Monday (ISO 1); row i is ISO weekday weekStart + i.
    const iso = ((weekStart - 1 + i) % 7) + 1;
    names.push(format.format(new Date(Date.UTC(2024, 0, iso, 12))));
  }
  const max = Math.max(1, ...grid.flat());
  // The hours across the top (every third one stays visible on a phone; the others
  // are kept for screen readers), the weekdays down the start side.
  const head = document.querySelector("#heatmap thead");
  const top = document.createElement("tr");
  const corner = document.createElement("td");
  corner.className = "corner";
  top.append(corner);
  for (let hour = 0; hour < 24; hour++) {
    const th = document.createElement("th");
    th.scope = "col";
    th.className = hour % 3 ? "hour minor" : "hour";
    const label = document.createElement("span");
    label.textContent = numbers.format(hour);
    th.append(label);
    top.append(th);
  }
  head?.replaceChildren(top);
  grid.forEach((row, i) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = names[i];
    tr.append(th);
    row.forEach((n, hour) => {
      const td = document.createElement("td");
      td.className = "heat";
      td.style.setProperty("--heat", (n / max).toFixed(2));
      td.title = `${names[i]} ${numbers.format(hour)}:00 — ${numbers.format(n)}`;
      const count = document.createElement("span");
      count.className = "visually-hidden";
      count.textContent = td.title;
      td.append(count);
      tr.append(td);
    });
    body.append(tr);
  });
}

function draw() {
  if (!data) return;
  const primary = css("--bs-primary") || "#0d6efd";
  const success = css("--bs-success") || "#198754";
  if (data.volume) {
    chart("chart-volume", "bar", [
      { label: meta.dataset.created, points: data.volume.created, color: primary },
      { label: meta.dataset.resolved, points: data.volume.resolved, color: success },
    ]);
  }
  if (data.times) {
    chart("chart-times", "line", [
      { label: meta.dataset.firstResponse, points: data.times.first_response, color: primary, scale: 60 },
      { label: meta.dataset.resolution, points: data.times.resolution, color: success, scale: 3600 },
    ]);
  }
  if (data.backlog) {
    chart("chart-backlog", "line", [{ label: meta.dataset.backlog, points: data.backlog, color: primary }]);
  }
  heatmap(data.heatmap, data.week_start);
}

// Chart.js is a classic deferred script: it has run before module scripts.
draw();

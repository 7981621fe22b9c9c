// Small enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The tenant switcher submits on change; its button stays for keyboards and for no-JS.
  const select = document.getElementById("tenant-switch");
  if (select && select.form) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});

// Search results: arrow keys move between the result links, as in a menu.
document.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const box = document.getElementById("search-q");
  const links = Array.from(document.querySelectorAll("[data-keyboard-list] .results a"));
  if (!links.length) return;
  const at = links.indexOf(document.activeElement);
  if (document.activeElement !== box && at < 0) return;
  event.preventDefault();
  let next = event.key === "ArrowDown" ? at + 1 : at - 1;
  if (next < 0) { if (box) box.focus(); return; }
  links[Math.min(next, links.length - 1)].focus();
});

// The meeting brief's print button (without JavaScript the browser's own print does the same).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});

// Applying the filters folds their panel away, so on a phone the results are not hidden under it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  form.querySelectorAll("details.filter-more[open]").forEach((d) => d.removeAttribute("open"));
});

// The meeting form: choosing a kind keeps the channel to the ones it can happen through (a phone call
// by phone, a visit in person). The server applies the same rule, so this only saves a refusal.
function syncChannel(kind) {
  if (!(kind instanceof HTMLSelectElement) || kind.name !== "kind") return;
  const box = kind.closest("[data-kind-channels]");
  const channel = box && box.querySelector("select[name=channel]");
  if (!channel) return;
  const allowed = JSON.parse(box.dataset.kindChannels)[kind.value] || [];
  for (const option of channel.options) option.disabled = allowed.length > 0 && !allowed.includes(option.value);
  if (allowed.length && !allowed.includes(channel.value)) channel.value = allowed[0];
}
document.addEventListener("change", (event) => syncChannel(event.target));
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-kind-channels] select[name=kind]").forEach(syncChannel);
});

// Copy buttons (hidden without JavaScript, where the field can be selected by hand).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((b) => { b.hidden = false; });
});
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element && event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied;
});

// The contributions chart: due vs paid per month, months in arrears in the warning colour. The table
// under it holds the same figures, so without JavaScript (or without the chart library) nothing is
// missing.
function drawContributionCharts() {
  if (typeof window.Chart !== "function") return;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    const d = JSON.parse(canvas.dataset.chart);
    const lang = document.documentElement.lang === "en" ? "en-US" : "id-ID";
    const rupiah = (v) => "Rp " + Number(v).toLocaleString(lang, { maximumFractionDigits: 0 });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          {
            label: d.due_label,
            data: d.due,
            backgroundColor: d.arrears.map((a) => (a ? "#d9534f" : "#b8c4c2")),
          },
          { label: d.paid_label, data: d.paid, backgroundColor: "#0f7a5a" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { ticks: { callback: (v) => rupiah(v) } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: (ctx) => ctx.dataset.label + ": " + rupiah(ctx.parsed.y)
                + (ctx.datasetIndex === 0 && d.arrears[ctx.dataIndex] ? " — " + d.arrears_label : ""),
            },
          },
        },
      },
    });
  });
}
document.addEventListener("DOMContentLoaded", drawContributionCharts);
document.addEventListener("htmx:afterSettle", drawContributionCharts);

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

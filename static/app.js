// Small enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The tenant switcher submits on change; its button stays for keyboards and for no-JS.
  const select = document.getElementById("tenant-switch");
  if (select && select.form) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});

// Crisis page and on-call roster: forms with data-confirm ask before sending something to the public (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // The timeline refreshes itself; if the crisis's status moved on since the page was loaded, the
  // notice in it shows (the page's buttons are the old status's: reloading brings the right ones,
  // and the agent chooses when, so a draft being typed is not lost).
  document.body.addEventListener("htmx:afterSwap", () => {
    const loaded = document.querySelector("[data-loaded-status]");
    const now = document.querySelector("[data-crisis-status]");
    if (loaded && now) now.hidden = now.dataset.crisisStatus === loaded.dataset.loadedStatus;
  });
})();

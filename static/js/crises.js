// Crisis page and on-call roster: forms with data-confirm ask before sending something to the public (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // The timeline refreshes itself, and with it the header, the escalation and the response's actions
  // (out of band). The forms a user types into stay as loaded, so a draft being typed is not lost:
  // if a colleague resolved the crisis meanwhile, the notice in the timeline says so (reloading
  // brings the resolved crisis's forms, when the agent chooses).
  document.body.addEventListener("htmx:afterSwap", () => {
    const loaded = document.querySelector("[data-loaded-status]");
    const now = document.querySelector("[data-crisis-status]");
    if (loaded && now) now.hidden = now.dataset.crisisStatus === loaded.dataset.loadedStatus;
  });
})();

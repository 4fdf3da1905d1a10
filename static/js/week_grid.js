// The week's hours (billing/_week_grid.html): a day's name toggles the whole day (no inline scripts:
// CSP). The "change" event it ends in is the calculator's cue for a live price.
(function () {
  "use strict";

  document.addEventListener("click", (event) => {
    const dayToggle = event.target.closest("[data-day-toggle]");
    if (!dayToggle) return;
    const grid = dayToggle.closest(".week-grid");
    const day = grid.querySelectorAll(`input.cell[data-day="${dayToggle.dataset.dayToggle}"]`);
    const allOn = Array.from(day).every((cell) => cell.checked);
    day.forEach((cell) => { cell.checked = !allOn; });
    dayToggle.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();

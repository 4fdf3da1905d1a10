// Pricing calculator: presets and print buttons (a day's toggle: week_grid.js) (no inline scripts: CSP).
// Every change ends in a "change" event inside the form's pricing inputs, which HTMX turns into a
// live price.
(function () {
  "use strict";

  function notify(control) {
    control.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", (event) => {
    const printButton = event.target.closest("[data-print]");
    if (printButton) {
      window.print();
      return;
    }
    const form = event.target.closest("form#calculator");
    if (!form) return;
    const cells = form.querySelectorAll("input.cell[name=hours]");

    const preset = event.target.closest("[data-preset-cells]");
    if (preset) {
      const wanted = new Set(preset.dataset.presetCells.split(" "));
      cells.forEach((cell) => { if (wanted.has(cell.value)) cell.checked = true; });
      notify(preset);
      return;
    }
    const clear = event.target.closest("[data-preset-clear]");
    if (clear) {
      cells.forEach((cell) => { cell.checked = false; });
      notify(clear);
    }
  });

  // The live price depends on the pricing inputs only, all inside the element asking for it
  // (data-pricing-inputs): one the browser finds invalid (say, the number of channels left empty)
  // stops the price; say which field, and mark the price shown as not matching the form any more.
  // The name and email are no pricing inputs (an unfinished address is checked by the save), so
  // this is not htmx's hx-validate, which checks the whole form.
  //
  // A price asked for before a change was halted can arrive after it, and its new breakdown comes
  // without the mark (htmx gives it the old one's attributes, then, as it settles, its own). So a
  // price asked for before the latest halt is marked again once settled.
  let halts = 0;
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const pricingInputs = event.target.closest && event.target.closest("[data-pricing-inputs]");
    const invalid = pricingInputs && pricingInputs.querySelector("input:invalid, select:invalid, textarea:invalid");
    if (invalid) {
      event.preventDefault();
      invalid.reportValidity();
      halts += 1;
      markStale();
      return;
    }
    if (event.detail.xhr) event.detail.xhr.calculatorHaltsBefore = halts;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const asked = event.detail.xhr && event.detail.xhr.calculatorHaltsBefore;
    if (asked !== undefined && asked !== halts) markStale();
  });

  function markStale() {
    const breakdown = document.getElementById("breakdown");
    if (breakdown) breakdown.classList.add("stale");
  }
})();

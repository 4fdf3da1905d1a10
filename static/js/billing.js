// Pricing calculator: presets, whole-day toggles and print buttons (no inline scripts: CSP).
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
      return;
    }
    const dayToggle = event.target.closest("[data-day-toggle]");
    if (dayToggle) {
      const day = form.querySelectorAll(`input.cell[data-day="${dayToggle.dataset.dayToggle}"]`);
      const allOn = Array.from(day).every((cell) => cell.checked);
      day.forEach((cell) => { cell.checked = !allOn; });
      notify(dayToggle);
    }
  });

  // A field the browser finds invalid (say, the number of channels left empty) stops the live
  // price: say which field, and mark the price shown as not matching the form any more.
  document.body.addEventListener("htmx:validation:halted", (event) => {
    const form = event.target.closest && event.target.closest("form#calculator");
    if (!form) return;
    form.reportValidity();
    markStaleIfInvalid(form);
  });

  // A price asked for before the field was emptied can arrive after it, and htmx settles the new
  // breakdown by giving it the old one's attributes and then, 20 ms later, its own: a mark set in
  // between is lost. So the mark is set again once the breakdown has settled, while the form's
  // pricing inputs are still invalid.
  document.body.addEventListener("htmx:afterSettle", () => {
    const form = document.getElementById("calculator");
    if (form) markStaleIfInvalid(form);
  });

  function markStaleIfInvalid(form) {
    const pricingInputs = form.querySelectorAll("[hx-post] input, [hx-post] select");
    const invalid = Array.from(pricingInputs).some((input) => !input.checkValidity());
    const breakdown = document.getElementById("breakdown");
    if (breakdown && invalid) breakdown.classList.add("stale");
  }
})();

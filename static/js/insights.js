// Insights: the print button of the monthly report (no inline scripts under the CSP).
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();

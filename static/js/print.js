/* Print buttons (data-print): bound here because the Content-Security-Policy refuses inline
   handlers such as onclick="window.print()". */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

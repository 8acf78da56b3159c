/* Print buttons: every element with a data-print attribute prints the page. Bound here, in a
   static file, because the Content-Security-Policy forbids inline handlers (onclick="…").
   The buttons start hidden and are shown only when this script runs, so a browser without
   JavaScript does not offer a button that does nothing. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

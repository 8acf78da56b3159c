/* Long downloads: show a "preparing" status until the file arrives. The server echoes the
   token we add to the link in a short-lived cookie when the file is ready. */
(function () {
  "use strict";
  document.querySelectorAll("a[data-download-status]").forEach(function (link) {
    link.addEventListener("click", function () {
      var status = document.getElementById(link.dataset.downloadStatus);
      var token = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("token", token);
      link.href = url.toString();
      if (!status) { return; }
      status.hidden = false;
      var timer = window.setInterval(function () {
        if (document.cookie.indexOf("download_token=" + token) !== -1) {
          status.hidden = true;
          window.clearInterval(timer);
        }
      }, 500);
    });
  });
})();

/* The score trend chart of the government dashboard. Data comes from a JSON script element
   (json_script), so no inline script is needed. */
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  var canvas = document.getElementById("trend-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { red: "#b02a37", yellow: "#e0a800", green: "#146c43" };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{
        label: canvas.dataset.label,
        data: data.scores,
        borderColor: "#0d6efd",
        pointBackgroundColor: data.zones.map(function (z) { return colours[z] || "#6c757d"; }),
        pointRadius: 6,
        spanGaps: true
      }]
    },
    options: {
      scales: { y: { min: 0, max: 100 } },
      plugins: { legend: { display: false } },
      animation: false
    }
  });
})();

// Tailmark report renderer: draws every chart configured in the JSON island with Chart.js and records the outcome
// in window.tailmarkReport, so a browser test (or a curious user) can see that each chart drew.
(function () {
  'use strict';
  var status = { expected: 0, drawn: 0, failed: [], done: false };
  window.tailmarkReport = status;
  var island = JSON.parse(document.getElementById('tailmark-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  island.charts.forEach(function (chart) {
    status.expected++;
    try {
      new Chart(document.getElementById(chart.id), chart.config);
      status.drawn++;
    } catch (e) {
      status.failed.push(chart.id + ': ' + e.message);
      console.error('chart ' + chart.id + ' failed: ' + e.message);
    }
  });
  status.done = true;
})();

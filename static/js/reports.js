// Report charts. Each <canvas data-chart="..."> carries its chart as JSON in a data attribute
// (the Content-Security-Policy forbids inline scripts): {kind, unit, labels, series: [{label, values}]}.
// The same numbers are in the table next to the canvas, which is what screen readers read.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  // Colour-blind-safe palette (Okabe-Ito), in the order series appear.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

  function draw(canvas) {
    var spec;
    try { spec = JSON.parse(canvas.dataset.chart); } catch (error) { return; }
    var kind = spec.kind === "bar" ? "bar" : "line";
    var datasets = (spec.series || []).map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.values,
        borderColor: colour,
        backgroundColor: kind === "bar" ? colour : colour + "33",
        borderWidth: 2,
        pointRadius: 2,
        spanGaps: true
      };
    });
    var chart = new window.Chart(canvas, {
      type: kind,
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: {
          y: {
            beginAtZero: true,
            max: spec.unit === "%" ? 100 : undefined,
            ticks: {
              precision: spec.unit === "%" ? undefined : 0,
              callback: function (value) { return value + (spec.unit || ""); }
            }
          }
        }
      }
    });
    canvas.dataset.drawn = "true";
    return chart;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();

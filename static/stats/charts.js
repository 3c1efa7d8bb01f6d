/*
 * The statistics pages' charts, drawn with Chart.js (served by the portal from
 * static/vendor/chartjs/, see scripts/vendor.py) from the numbers the page carries in
 * its "stats-chart-data" script element.
 *
 * Each chart has a table of the same numbers beside it: the page is complete without
 * this file. Once a chart is drawn its box is shown and its table folded away (one
 * click opens it again); a screen reader reads the canvas's label, then the table.
 */
(function () {
  "use strict";

  var source = document.getElementById("stats-chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }

  var RED = "#b71c1c";
  var BLUE = "#1f5fa8";
  var GREY = "#8a96a3";
  var fontSize = window.matchMedia("(max-width: 576px)").matches ? 14 : 15;
  window.Chart.defaults.font.size = fontSize;
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = "#212529";
  window.Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 300 };

  function tickLabel(percent) {
    return function (value) {
      return percent ? value + "%" : Number(value).toLocaleString();
    };
  }

  function tooltipLabel(percent) {
    return function (context) {
      var value = context.parsed[context.chart.options.indexAxis === "y" ? "x" : "y"];
      if (value === null || value === undefined) return "—";
      return percent ? value + "%" : Number(value).toLocaleString();
    };
  }

  function options(series, horizontal) {
    var valueAxis = {
      beginAtZero: true,
      ticks: { callback: tickLabel(series.percent), precision: series.percent ? undefined : 0 },
    };
    if (series.percent) valueAxis.suggestedMax = 100;
    var scales = horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } } : { y: valueAxis, x: { ticks: { maxRotation: 0, autoSkip: true } } };
    return {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      scales: scales,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: tooltipLabel(series.percent) } },
      },
    };
  }

  function config(kind, series) {
    var last = series.values.length - 1;
    if (kind === "line") {
      return {
        type: "line",
        data: {
          labels: series.labels,
          datasets: [{
            label: series.label,
            data: series.values,
            borderColor: BLUE,
            backgroundColor: BLUE,
            borderWidth: 3,
            spanGaps: false,
            pointRadius: series.values.map(function (_v, i) { return i === last ? 7 : 4; }),
            pointBackgroundColor: series.values.map(function (_v, i) { return i === last ? RED : BLUE; }),
          }],
        },
        options: options(series, false),
      };
    }
    return {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{
          label: series.label,
          data: series.values,
          backgroundColor: kind === "ranking" ? series.values.map(function (v, i) { return i === 0 && v !== null ? RED : BLUE; }) : BLUE,
          borderRadius: 3,
        }],
      },
      // Bars lie flat, so every name can be read on a phone.
      options: options(series, true),
    };
  }

  document.querySelectorAll("canvas[data-stats-chart]").forEach(function (canvas) {
    var series = data[canvas.getAttribute("data-stats-chart")];
    var box = canvas.closest("[data-chart-box]");
    if (!series || !box) return;
    box.hidden = false;
    try {
      new window.Chart(canvas, config(canvas.getAttribute("data-kind"), series));
    } catch (e) {
      box.hidden = true; // the table stays open and says it all
      return;
    }
    box.setAttribute("data-drawn", "");
    var section = box.closest("section");
    var numbers = section && section.querySelector("details[data-chart-numbers]");
    if (numbers) numbers.open = false;
  });
})();

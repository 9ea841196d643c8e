// Draws the dashboard's charts from the JSON the view wrote; a click on a bar or point opens its admin list.
(function () {
  "use strict";
  var charts = JSON.parse(document.getElementById("dashboard-charts").textContent);
  charts.forEach(function (spec) {
    var el = document.getElementById("chart-" + spec.id);
    if (!el || !window.echarts) { return; }
    var chart = window.echarts.init(el);
    var horizontal = spec.kind === "hbar";
    var type = spec.kind === "line" ? "line" : "bar";
    var category = {type: "category", data: spec.categories, axisLabel: {hideOverlap: true}};
    var value = {type: "value", minInterval: 1, max: spec.percent ? 100 : null};
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          var shown = d.title ? d.title : (d.value === null ? "—" : d.value);
          return p.seriesName + "<br>" + p.name + ": " + shown;
        }
      },
      legend: {show: spec.series.length > 1, top: 0},
      grid: {left: horizontal ? 120 : 40, right: 20, top: 30, bottom: 30},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: spec.series.map(function (s) {
        return {name: s.name, type: type, data: s.data, stack: spec.kind === "stack" ? "all" : undefined,
                connectNulls: false, cursor: "pointer"};
      })
    });
    chart.on("click", function (p) {
      if (p.data && p.data.url) { window.location.href = p.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());

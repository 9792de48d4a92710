// Charts from data in <script type="application/json"> blocks (no inline JS: the CSP forbids it).
(function () {
  "use strict";
  var colors = { green: "#1a9850", yellow: "#f0b400", red: "#d73027", no_data: "#9e9e9e" };

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function trend(d) {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels.actual, d.labels.expected] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(String) },
      yAxis: { type: "value", scale: true, name: d.unit || "",
        axisLabel: d.unit === "%" ? { formatter: "{value}%" } : {} },
      series: [
        { name: d.labels.actual, type: "line", data: d.actual, connectNulls: true, symbolSize: 8,
          itemStyle: { color: colors[d.light] || "#0b6e4f" } },
        { name: d.labels.expected, type: "line", data: d.expected, lineStyle: { type: "dashed" }, itemStyle: { color: "#5f6b7a" } },
      ],
    };
  }

  function bars(d) {
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: d.series.map(function (s) { return s.name; }) },
      grid: { left: 140, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: d.categories, inverse: true },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: d.stack ? "all" : undefined, data: s.data, itemStyle: { color: s.color } };
      }),
    };
  }

  function pie(d) {
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.data, label: { formatter: "{b} {d}%" } }],
    };
  }

  function mixed(d) {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: d.series.map(function (s) { return s.name; }) },
      grid: { left: 80, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.categories },
      yAxis: { type: "value" },
      series: d.series.map(function (s) {
        return { name: s.name, type: s.type || "line", data: s.data, stack: s.stack, symbol: "none",
                 areaStyle: s.area ? {} : undefined };
      }),
    };
  }

  function fan(d) {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels.band, d.labels.mean, d.labels.deterministic] },
      grid: { left: 90, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.categories, boundaryGap: false },
      yAxis: { type: "value" },
      series: [
        { name: "p10", type: "line", data: d.low, stack: "fan", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
        { name: d.labels.band, type: "line", data: d.band, stack: "fan", symbol: "none", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(11,110,79,0.22)" }, itemStyle: { color: "rgba(11,110,79,0.35)" } },
        { name: d.labels.mean, type: "line", data: d.mean, symbol: "none", itemStyle: { color: "#0b6e4f" },
          markLine: d.peak_year ? { symbol: "none", data: [{ xAxis: d.peak_year }], lineStyle: { color: "#d73027" },
                                    label: { formatter: d.peak_year } } : undefined },
        { name: d.labels.deterministic, type: "line", data: d.deterministic, symbol: "none", lineStyle: { type: "dashed" }, itemStyle: { color: "#5f6b7a" } },
      ],
    };
  }

  // a load's GPS track on plain longitude/latitude axes (no map tiles), with its site and destination
  function track(d) {
    // each axis fitted to the track and the places, padded (a straight north-south track has no longitude span:
    // ECharts' own scale would then run from 40 to 180 degrees)
    function span(i) {
      var v = d.track.map(function (p) { return p[i]; }).concat(d.places.map(function (p) { return p.value[i]; }));
      var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v), pad = Math.max((hi - lo) * 0.1, 0.01);
      return { min: +(lo - pad).toFixed(4), max: +(hi + pad).toFixed(4) };
    }
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        return p.seriesIndex === 0 ? (d.times[p.dataIndex] || "") : p.name; } },
      legend: { data: [d.labels.track, d.labels.places] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "value", name: "经度", min: span(0).min, max: span(0).max },
      yAxis: { type: "value", name: "纬度", min: span(1).min, max: span(1).max },
      series: [
        { name: d.labels.track, type: "line", data: d.track, symbolSize: 5, itemStyle: { color: "#0b6e4f" } },
        { name: d.labels.places, type: "scatter", data: d.places, symbolSize: 14, itemStyle: { color: "#d73027" },
          label: { show: true, position: "right", formatter: "{b}" } },
      ],
    };
  }

  // Optional, for any chart: `unit` names the value axis ("万吨 CO₂", "%") and follows values in tooltips;
  // `percent: true` (or unit "%") writes axis ticks as "25%". Category axes show every label (rotated when many
  // and not plain years) and the grid makes room for them, so no label is clipped or skipped.
  function valueAxes(opt) {
    return [].concat(opt.yAxis || [], opt.xAxis || []).filter(function (a) { return a.type === "value"; });
  }

  function categoryAxes(opt) {
    return [].concat(opt.xAxis || [], opt.yAxis || []).filter(function (a) { return a.type === "category"; });
  }

  function dress(opt, d) {
    var percent = d.percent || d.unit === "%";
    if (d.unit) {
      valueAxes(opt).forEach(function (a) {
        a.name = d.unit;
        a.nameTextStyle = { align: "left", color: "#5f6b7a" };
        if (percent) a.axisLabel = Object.assign({}, a.axisLabel, { formatter: "{value}%" });
      });
      if (opt.tooltip) {
        opt.tooltip.valueFormatter = function (v) {
          if (v === null || v === undefined || v === "-") return "—";
          return percent ? v + "%" : v.toLocaleString("zh-CN") + " " + d.unit;
        };
      }
      if (opt.grid) opt.grid.top = Math.max(opt.grid.top || 0, 48);
    }
    categoryAxes(opt).forEach(function (a) {
      var labels = a.data || [];
      var years = labels.every(function (x) { return /^[0-9]{4}$/.test(String(x)); });
      if (years) return;  // years read fine with ECharts' own spacing
      var vertical = opt.yAxis === a;
      a.axisLabel = Object.assign({ interval: 0, hideOverlap: false }, a.axisLabel,
        !vertical && labels.length > 6 ? { rotate: 30 } : {});
    });
    if (opt.grid) {  // the margins now hold the labels themselves: keep only a small gap outside them
      opt.grid.containLabel = true;
      opt.grid.left = 12;
      opt.grid.bottom = 10;
      opt.grid.right = Math.max(opt.grid.right || 0, 28);
    }
    return opt;
  }

  // one place that turns a container's data into a chart and keeps it sized to the window
  var kinds = { trend: trend, bars: bars, pie: pie, mixed: mixed, fan: fan, track: track };

  function draw(el) {
    var build = kinds[el.dataset.chart];
    var d = data(el.dataset.source);
    if (!build || !d) return;
    var chart = echarts.init(el);
    chart.setOption(dress(build(d), d));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();

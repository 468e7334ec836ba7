/* 统计看板: draws the charts from the page's JSON (json_script #hy-dashboard-data) with the
 * locally served ECharts, opens the case list a clicked bar or slice counts, and sorts the
 * unit table. Every data point carries its own list URL, made by the server. */
(function () {
  "use strict";

  var source = document.getElementById("hy-dashboard-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var font = getComputedStyle(document.body).fontFamily;
  var BLUE = "#1a56a8";
  var PALETTE = ["#1a56a8", "#e0892b", "#2a9d8f", "#c8102e", "#7b61c4", "#8a94a3", "#4c9bd6", "#b08d1a"];
  var CLASS_COLORS = ["#198754", "#1a56a8", "#e0892b", "#8a94a3"];
  var RATING_COLORS = ["#198754", "#5cb85c", "#c8102e", "#c3cad5"];

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%";
  }

  function empty(points) {
    return !points.some(function (p) { return p.count > 0; });
  }

  function noData() {
    return {
      title: { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#8a94a3", fontSize: 14, fontWeight: "normal" } },
    };
  }

  function base(option) {
    option.color = option.color || PALETTE;
    option.textStyle = { fontFamily: font };
    option.animationDuration = 400;
    return option;
  }

  function grid(extra) {
    return Object.assign({ left: 8, right: 24, top: 36, bottom: 8, containLabel: true }, extra || {});
  }

  var charts = {
    categoryLevel: function (d) {
      var all = [].concat.apply([], d.series.map(function (s) { return s.data; }));
      if (empty(all)) return noData();
      return {
        legend: { top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: grid(),
        xAxis: { type: "category", data: d.levels },
        yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", barMaxWidth: 36, data: s.data, label: { show: true, position: "top" } };
        }),
      };
    },
    monthly: function (d) {
      if (empty(d.received.concat(d.answered))) return noData();
      return {
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        grid: grid(),
        xAxis: { type: "category", data: d.months, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "收到", type: "bar", barMaxWidth: 18, data: d.received },
          { name: "答复", type: "bar", barMaxWidth: 18, data: d.answered, itemStyle: { color: "#2a9d8f" } },
        ],
      };
    },
    states: function (points) {
      if (empty(points)) return noData();
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c} 件" },
        grid: grid({ top: 16 }),
        xAxis: { type: "category", data: points.map(function (p) { return p.name; }), axisLabel: { interval: 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", barMaxWidth: 36, data: points, label: { show: true, position: "top" }, colorBy: "data" }],
      };
    },
    topics: function (points) {
      if (empty(points)) return noData();
      var shown = points.slice().reverse();
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c} 件" },
        grid: grid({ top: 8 }),
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: shown.map(function (p) { return p.name; }), axisLabel: { width: 110, overflow: "truncate" } },
        series: [{ type: "bar", barMaxWidth: 16, data: shown, itemStyle: { color: BLUE }, label: { show: true, position: "right" } }],
      };
    },
    replyClasses: function (points) {
      var option = pie(points, CLASS_COLORS);
      if (option.tooltip) {
        option.tooltip.formatter = function (p) {
          return p.name + "（" + p.data.label + "）：" + p.value + " 件（" + p.percent + "%）";
        };
      }
      return option;
    },
    feedback: function (points) {
      return pie(points, RATING_COLORS);
    },
    onTimeByUnit: function (points) {
      if (!points.length) return noData();
      var shown = points.map(function (p) {
        return Object.assign({}, p, { value: Math.round((p.rate || 0) * 1000) / 10 });
      });
      return {
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            return p.name + "<br>按期率 " + percent(p.data.rate) + "（按期 " + p.data.count + " / 已答复 " + p.data.replied + "）";
          },
        },
        grid: grid({ top: 8, right: 48 }),
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: shown.map(function (p) { return p.name; }), axisLabel: { width: 110, overflow: "truncate" } },
        series: [{
          type: "bar",
          barMaxWidth: 16,
          data: shown,
          itemStyle: { color: function (p) { return p.data.rate >= 0.9 ? "#2a9d8f" : p.data.rate >= 0.6 ? "#e0892b" : "#c8102e"; } },
          label: { show: true, position: "right", formatter: function (p) { return percent(p.data.rate); } },
        }],
      };
    },
  };

  function pie(points, colors) {
    if (empty(points)) return noData();
    return {
      color: colors,
      tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["38%", "64%"],
        center: ["50%", "44%"],
        data: points.filter(function (p) { return p.count > 0; }),
        label: { formatter: "{c}件" },
      }],
    };
  }

  var drawn = [];
  var pending = 0;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var make = charts[el.dataset.chart];
    if (!make) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    pending += 1;
    chart.on("finished", function once() {
      chart.off("finished", once);
      el.dataset.rendered = "true";
      pending -= 1;
      if (pending === 0) document.documentElement.dataset.chartsReady = "true";
    });
    chart.setOption(base(make(data[el.dataset.chart])));
    chart.on("click", function (p) {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    chart.getZr().on("mousemove", function (e) {
      el.style.cursor = e.target ? "pointer" : "default";
    });
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (c) { c.resize(); });
  });

  // The unit table: sort the units within each group (市直 / 县区); subtotals stay last.
  var table = document.getElementById("unit-table");
  if (!table) return;
  table.querySelectorAll(".hy-sort").forEach(function (button) {
    button.addEventListener("click", function () {
      var th = button.closest("th");
      var col = Number(button.dataset.col);
      var text = button.dataset.type === "text";
      var descending = th.getAttribute("aria-sort") !== "descending";
      if (text && !th.hasAttribute("aria-sort")) descending = false;
      table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      table.querySelectorAll("tbody.hy-unit-group").forEach(function (body) {
        var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains("hy-subtotal"); });
        var key = function (row) {
          var value = row.cells[col].dataset.sort;
          return text ? value : Number(value);
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = text ? String(x).localeCompare(String(y), "zh-CN") : x - y;
          return descending ? -order : order;
        });
        var subtotal = body.querySelector(".hy-subtotal");
        rows.forEach(function (row) { body.insertBefore(row, subtotal); });
      });
    });
  });
})();

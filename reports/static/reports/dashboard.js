/* 统计看板: draws the charts from the page's JSON (json_script #hy-dashboard-data) with the
 * locally served ECharts, opens the case list a clicked bar or slice counts, and sorts the
 * unit table. Every data point carries its own list URL, made by the server.
 *
 * Names (units, topics …) are data that users typed: a tooltip is HTML, so every value that
 * reaches one goes through esc() (string templates such as "{b}：{c}" ECharts escapes
 * itself). Each chart gets a visually hidden table with its figures, built with textContent,
 * as its text alternative. */
(function () {
  "use strict";

  var source = document.getElementById("hy-dashboard-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var esc = echarts.format.encodeHTML;
  var LABEL_PX = 12; // an axis label's character, in px (ECharts' default font size)
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
      title: { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#5f6b7a", fontSize: 14, fontWeight: "normal" } },
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
    states: function (points, slant) {
      if (empty(points)) return noData();
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c} 件" },
        grid: grid({ top: 16 }),
        // Where the state names would overlap side by side (a phone): slant them.
        xAxis: {
          type: "category",
          data: points.map(function (p) { return p.name; }),
          axisLabel: slant ? { interval: 0, rotate: 45, fontSize: 11 } : { interval: 0 },
        },
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
          return esc(p.name) + "（" + esc(p.data.label) + "）：" + esc(p.value) + " 件（" + esc(p.percent) + "%）";
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
            return esc(p.name) + "<br>按期率 " + esc(percent(p.data.rate)) + "（按期 " + esc(p.data.count) + " / 已答复 " + esc(p.data.replied) + "）";
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

  // The figures of each chart as rows of text: [column headers, rows].
  var figures = {
    categoryLevel: function (d) {
      return [["类别"].concat(d.levels), d.series.map(function (s) {
        return [s.name].concat(s.data.map(function (p) { return p.count + " 件"; }));
      })];
    },
    monthly: function (d) {
      return [["月份", "收到", "答复"], d.months.map(function (m, i) {
        return [m, d.received[i].count + " 件", d.answered[i].count + " 件"];
      })];
    },
    states: counts("办理状态"),
    topics: counts("主题"),
    replyClasses: function (points) {
      return [["答复类别", "件数"], points.map(function (p) { return [p.name + "（" + p.label + "）", p.count + " 件"]; })];
    },
    feedback: counts("评价结果"),
    onTimeByUnit: function (points) {
      return [["主办单位", "按期率", "按期答复", "已答复"], points.map(function (p) {
        return [p.name, percent(p.rate), p.count + " 件", p.replied + " 件"];
      })];
    },
  };

  function counts(heading) {
    return function (points) {
      return [[heading, "件数"], points.map(function (p) { return [p.name, p.count + " 件"]; })];
    };
  }

  function cell(tag, text, scope) {
    var node = document.createElement(tag);
    node.textContent = String(text);
    if (scope) node.scope = scope;
    return node;
  }

  // A visually hidden table after the chart: what a screen reader reads instead of the canvas.
  function describe(el, key) {
    var table = figures[key] && figures[key](data[key]);
    if (!table) return;
    var element = document.createElement("table");
    element.className = "visually-hidden";
    element.dataset.chartTable = key;
    element.appendChild(cell("caption", el.getAttribute("aria-label") || ""));
    var head = element.createTHead().insertRow();
    table[0].forEach(function (text) { head.appendChild(cell("th", text, "col")); });
    var body = element.createTBody();
    table[1].forEach(function (values) {
      var row = body.insertRow();
      values.forEach(function (text, i) { row.appendChild(i ? cell("td", text) : cell("th", text, "row")); });
    });
    if (!table[1].length) {
      body.insertRow().appendChild(cell("td", "暂无数据")).colSpan = table[0].length;
    }
    el.setAttribute("aria-describedby", "hy-chart-table-" + key);
    element.id = "hy-chart-table-" + key;
    el.insertAdjacentElement("afterend", element);
  }

  // Would the state chart's labels, side by side, overlap at this width?
  function crowded(el, key) {
    if (key !== "states" || !data.states.length) return false;
    var longest = Math.max.apply(null, data.states.map(function (p) { return String(p.name).length; }));
    var slot = (el.clientWidth - 40) / data.states.length; // 40: the value axis
    return slot < longest * LABEL_PX + 6;
  }

  var drawn = [];
  var pending = 0;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var key = el.dataset.chart;
    var make = charts[key];
    if (!make) return;
    describe(el, key);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var slant = crowded(el, key);
    pending += 1;
    chart.on("finished", function once() {
      chart.off("finished", once);
      el.dataset.rendered = "true";
      pending -= 1;
      if (pending === 0) document.documentElement.dataset.chartsReady = "true";
    });
    chart.setOption(base(make(data[key], slant)));
    chart.on("click", function (p) {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    chart.getZr().on("mousemove", function (e) {
      el.style.cursor = e.target ? "pointer" : "default";
    });
    drawn.push({ chart: chart, el: el, key: key, slant: slant });
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (d) {
      d.chart.resize();
      var slant = crowded(d.el, d.key);
      if (slant !== d.slant) {
        d.slant = slant;
        d.chart.setOption(base(charts[d.key](data[d.key], slant)), true);
      }
    });
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

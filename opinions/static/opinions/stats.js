/* 群众意见建议统计: two bar charts (by area, by channel) from the page's JSON
 * (json_script #op-stats-data) with the locally served ECharts; the custom period's dates
 * are offered only when 自定义 is chosen.
 *
 * Labels are names from the vocabulary (areas, channels); the tooltips still use string
 * templates ("{b}：{c} 条"), which ECharts escapes, so nothing reaches the page as HTML.
 * Each chart gets a visually hidden table with its figures (built with textContent) as its
 * text alternative. */
(function () {
  "use strict";

  // The custom period's dates: shown (and sent) only with 自定义.
  var period = document.getElementById("op-period");
  var dates = [document.getElementById("op-start"), document.getElementById("op-end")];
  function syncDates() {
    var custom = period && period.value === "custom";
    dates.forEach(function (input) {
      if (!input) return;
      input.disabled = !custom;
      input.hidden = !custom;
      var label = document.querySelector('label[for="' + input.id + '"]');
      if (label) label.hidden = !custom;
    });
  }
  if (period) {
    period.addEventListener("change", syncDates);
    syncDates();
  }

  var source = document.getElementById("op-stats-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var font = getComputedStyle(document.body).fontFamily;
  var BLUE = "#1a56a8";

  function option(points) {
    if (!points.some(function (p) { return p.value > 0; })) {
      return {
        title: { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#5f6b7a", fontSize: 14, fontWeight: "normal" } },
      };
    }
    var shown = points.slice().reverse();
    return {
      textStyle: { fontFamily: font },
      animationDuration: 400,
      tooltip: { trigger: "item", formatter: "{b}：{c} 条" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: shown.map(function (p) { return p.name; }), axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ type: "bar", barMaxWidth: 16, data: shown, itemStyle: { color: BLUE }, label: { show: true, position: "right" } }],
    };
  }

  function cell(tag, text, scope) {
    var node = document.createElement(tag);
    node.textContent = String(text);
    if (scope) node.scope = scope;
    return node;
  }

  function describe(el, heading, points) {
    var table = document.createElement("table");
    table.className = "visually-hidden";
    var head = table.createTHead().insertRow();
    head.appendChild(cell("th", heading, "col"));
    head.appendChild(cell("th", "条数", "col"));
    var body = table.createTBody();
    points.forEach(function (p) {
      var row = body.insertRow();
      row.appendChild(cell("th", p.name, "row"));
      row.appendChild(cell("td", p.value + " 条"));
    });
    el.parentNode.appendChild(table);
  }

  var headings = { areas: "领域", channels: "渠道" };
  var charts = [];
  var pending = 0;
  document.querySelectorAll(".hy-chart[data-chart]").forEach(function (el) {
    var key = el.getAttribute("data-chart");
    var points = data[key];
    if (!points) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    pending += 1;
    // When every chart has drawn (what the browser tests wait for, as on the dashboard).
    chart.on("finished", function once() {
      chart.off("finished", once);
      el.dataset.rendered = "true";
      pending -= 1;
      if (pending === 0) document.documentElement.dataset.chartsReady = "true";
    });
    chart.setOption(option(points));
    charts.push(chart);
    describe(el, headings[key] || "", points);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();

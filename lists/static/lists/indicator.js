// Indicators (baseline → current → target) as small ECharts bars. The data comes from a
// json_script block (#hy-indicators); each chart's element names its row by index. Labels
// and tooltips use ECharts' string templates, which escape; no HTML is built from data.
"use strict";
(function () {
  const source = document.getElementById("hy-indicators");
  if (!source || !window.echarts) return;
  let indicators;
  try {
    indicators = JSON.parse(source.textContent || "[]");
  } catch (e) {
    return;
  }
  const COLOURS = ["#8c9bb0", "#3d8bfd", "#198754"];
  document.querySelectorAll(".hy-indicator-chart[data-indicator]").forEach((el) => {
    const found = indicators[Number(el.dataset.indicator)];
    if (!found) return;
    const values = [found.baseline, found.current, found.target];
    const chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 36, right: 8, top: 22, bottom: 24 },
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      xAxis: { type: "category", data: ["基线", "当前", "目标"], axisTick: { show: false } },
      yAxis: { type: "value", name: found.unit, nameGap: 4, splitNumber: 2, min: 0 },
      series: [{
        type: "bar",
        barWidth: "45%",
        data: values.map((v, i) => ({ value: v, itemStyle: { color: COLOURS[i] } })),
        label: { show: true, position: "top", formatter: "{c}", fontSize: 10 },
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();

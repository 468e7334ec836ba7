/* The ECharts of the 统计看板, bundled by scripts/copy_vendor.py (esbuild) into
 * web/static/vendor/echarts/echarts.min.js: only what reports/static/reports/dashboard.js
 * draws (bar and pie charts; grid, legend incl. its scroll type, title for "暂无数据",
 * tooltip with its axis pointer; the canvas renderer). A chart type or component used
 * there later must be added here: ECharts says in the console which one is missing. */
import * as echarts from "echarts/core";
import { BarChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

// The global the full build sets: dashboard.js and the browser tests use window.echarts.
window.echarts = echarts;

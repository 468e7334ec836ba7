import json
import time

from django.core.management.base import BaseCommand, CommandError

from huiyin.errors import DomainError
from orgs.models import Unit
from reports.stats import REPLIED_KEY, year_stats

LEVELS = {"provincial": "省级", "municipal": "市级", "county": "县级"}
CATEGORIES = {"npc_suggestion": "人大代表建议", "cppcc_proposal": "政协提案"}
RATINGS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "none": "未评价",
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


SHOWN_DIFFERENCES = 50


class Command(BaseCommand):
    help = (
        "议提案年度统计（--json 输出与接口 /api/v1/stats 相同的对象）；"
        "--verify 用全量重新计数核对统计汇总表，--rebuild 重建统计汇总表"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度")
        parser.add_argument("--unit", help="主办处室代码")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="核对：统计汇总表与按办件全量重新计数的结果逐项比较，有差异时列出并以非零状态退出",
        )
        parser.add_argument("--rebuild", action="store_true", help="按全部办件重新生成统计汇总表")
        parser.add_argument(
            "--category",
            choices=["public_opinion", "supervision"],
            help="其他类别的统计：public_opinion 群众意见建议（按收到日期统计）；"
            "supervision 督查督办（评分与评星，用 --period 指定期间）",
        )
        parser.add_argument(
            "--period",
            help="统计期间：年度 2026、季度 2026-Q2 或月份 2026-05（仅 --category supervision）",
        )
        parser.add_argument(
            "--campaign", type=int, help="征集活动编号（仅 --category public_opinion）"
        )
        parser.add_argument(
            "--list",
            type=int,
            dest="rect_list",
            help="清单编号（数据库 id）：输出该清单的整改完成率、按期整改率、销号率等",
        )
        parser.add_argument("--start", help="开始日期 YYYY-MM-DD（仅 --category public_opinion）")
        parser.add_argument("--end", help="结束日期 YYYY-MM-DD（仅 --category public_opinion）")

    def handle(
        self,
        *args,
        year: int | None,
        unit: str | None,
        json: bool,
        verify: bool,
        rebuild: bool,
        **options,
    ):
        if options.get("rect_list") is not None:
            if options.get("category") or verify or rebuild:
                raise CommandError("--list 不能与 --category、--verify、--rebuild 同时使用")
            self._list(options["rect_list"], as_json=json)
            return
        if options.get("category") == "supervision":
            self._supervision(year=year, period=options.get("period"), as_json=json)
            return
        if options.get("period"):
            raise CommandError("--period 仅用于 --category supervision")
        if options.get("category"):
            self._opinions(year=year, as_json=json, **options)
            return
        if rebuild or verify:
            self._maintain(rebuild=rebuild, verify=verify)
            return
        if year is None:
            raise CommandError("请用 --year 指定年度（或用 --verify、--rebuild 核对、重建汇总表）")
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(f"没有代码为“{unit}”的单位")
        stats = year_stats(year, unit_obj)
        if json:
            self.stdout.write(_dumps(stats))
            return
        self._table(stats, unit_obj)

    def _opinions(
        self,
        *,
        year: int | None,
        as_json: bool,
        campaign: int | None = None,
        start: str | None = None,
        end: str | None = None,
        **options,
    ) -> None:
        """群众意见建议: the figures of opinions.stats (the page's and the export's) for a year,
        a date range or a campaign's whole span, the whole commission."""
        from opinions.stats import command_period, opinion_figures, percent

        try:
            first, last = command_period(year=year, start=start, end=end, campaign=campaign)
            figures = opinion_figures(user=None, start=first, end=last, campaign_id=campaign)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if as_json:
            self.stdout.write(_dumps(figures))
            return
        w = self.stdout.write
        w(f"群众意见建议统计（收到日期 {figures['start']} 至 {figures['end']}）")
        if figures["campaign"]:
            c = figures["campaign"]
            w(
                f"  征集活动      {c['name']}：发放意见簿{c['books_issued']}本，收回{c['books_returned']}本，意见簿登记{c['book_suggestions']}条"
            )
        w(f"  收到          {figures['received']}（并件 {figures['merged']}）")
        w(f"  已转办        {figures['forwarded']}")
        w(f"  已答复        {figures['answered']}")
        w(f"  已办结        {figures['closed']}")
        w(f"  超期未办结    {figures['overdue_open']}（截至 {figures['as_of']}）")
        for key, label in (
            ("forward_on_time", "转办及时率"),
            ("answer_on_time", "按时办结率"),
            ("reply", "回复率"),
            ("satisfaction", "满意率"),
        ):
            r = figures["rates"][key]
            w(f"  {label:<10}{percent(r)}（{r['numerator']}/{r['denominator']}）")

    def _list(self, pk: int, *, as_json: bool) -> None:
        """清单化管理: the figures of one list (lists.stats, the report's and the page's)."""
        from audit.record import today
        from lists.models import RectList
        from lists.stats import list_figures, percent

        rect_list = RectList.objects.filter(pk=pk).first()
        if rect_list is None:
            raise CommandError(f"没有编号为 {pk} 的清单")
        f = list_figures(rect_list, today())
        if as_json:
            self.stdout.write(json.dumps(f, ensure_ascii=False, indent=2, default=str))
            return
        w = self.stdout.write
        w(f"{rect_list.code} {rect_list.name}（截至 {f['as_of']}）")
        w(f"  事项          {f['items']}（具体举措 {f['measures']} 条）")
        w(f"  已完成整改    {f['items_finished']}（待销号 {f['items_submitted']}）")
        w(f"  已销号        {f['items_struck_off']}（举措已销号 {f['measures_struck_off']} 条）")
        w(f"  逾期          {f['items_overdue']}（举措逾期 {f['measures_overdue']} 条）")
        w(f"  整改完成率    {percent(f['completion_rate'])}")
        w(f"  按期整改率    {percent(f['on_time_rate'])}")
        w(f"  销号率        {percent(f['strike_off_rate'])}")
        w(
            "  处室          牵头事项  已完成  已销号  逾期  完成率  按期率  举措  举措销号  举措逾期"
        )
        for u in f["by_unit"].values():
            w(
                f"  {u['name']:<12}{u['items']:>6}  {u['items_finished']:>6}  {u['struck_off']:>6}"
                f"  {u['overdue']:>4}  {percent(u['completion_rate']):>6}"
                f"  {percent(u['on_time_rate']):>6}  {u['measures']:>4}"
                f"  {u['measures_struck_off']:>8}  {u['measures_overdue']:>8}"
            )

    def _supervision(self, *, year: int | None, period: str | None, as_json: bool) -> None:
        """督查督办: the ratings and stars of supervision.ratings (the page's, the export's
        and the bulletin's) for a year, a quarter or a month, the whole commission."""
        from huiyin.periods import period_of
        from supervision.ratings import period_figures, rate_text, shown

        if period and year is not None:
            raise CommandError("--period 与 --year 只能选一种")
        if not period and year is None:
            raise CommandError("请用 --period 指定期间（如 2026-Q2、2026-05 或 2026）")
        try:
            chosen = period_of(period or str(year))
            figures = period_figures(chosen, user=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if as_json:
            self.stdout.write(_dumps(figures))
            return
        w = self.stdout.write
        w(f"督查督办评分与评星（{figures['label']}，{figures['start']} 至 {figures['end']}）")
        w(f"  新登记        {figures['received']}")
        w(f"  经核查办结    {figures['completed']}（已销号 {figures['closed']}）")
        w(f"  按时办结率    {rate_text(figures['rates']['on_time'])}")
        w(f"  平均质量得分  {shown(figures['average_quality'])}")
        w(f"  逾期未办结    {figures['overdue_open']}（截至 {figures['as_of']}）")
        w(f"  {figures['scoring']['formula']}")
        for row in figures["by_unit"]:
            s = row["scores"]
            w(f"  {row['name']}：办结{row['completed']} 销号{row['closed']}  {s['working']}")
        for star in figures["stars"]:
            names = "、".join(f"{x['name']}（{x['value']}）" for x in star["winners"]) or "空缺"
            w(f"  {star['label']}：{names}" + (f"  {star['note']}" if star["note"] else ""))

    def _maintain(self, *, rebuild: bool, verify: bool) -> None:
        """The summary rows (reports.models): rebuilt from the cases, or compared with a
        recount. An administrator's command run from a shell: it says what it did."""
        from reports.recount import rebuild as rebuild_all
        from reports.recount import verify as verify_all

        if rebuild:
            started = time.perf_counter()
            counts = rebuild_all()
            rows = "，".join(f"{name} {n} 行" for name, n in counts.items())
            self.stdout.write(f"已重建统计汇总表（{time.perf_counter() - started:.1f} 秒）：{rows}")
        if verify:
            started = time.perf_counter()
            differences = verify_all()
            took = f"{time.perf_counter() - started:.1f} 秒"
            if not differences:
                self.stdout.write(f"统计汇总表与全量重新计数一致（{took}）")
                return
            for difference in differences[:SHOWN_DIFFERENCES]:
                self.stdout.write(str(difference))
            if len(differences) > SHOWN_DIFFERENCES:
                self.stdout.write(f"……另有 {len(differences) - SHOWN_DIFFERENCES} 处差异")
            raise CommandError(
                f"统计汇总表与全量重新计数有 {len(differences)} 处差异（{took}）；"
                "可用 --rebuild 重建"
            )

    def _table(self, s: dict, unit: Unit | None) -> None:
        w = self.stdout.write
        w(f"{s['year']}年度议提案办理统计" + (f"（{unit.name}主办）" if unit else ""))
        w(f"  总件数        {s['total']}")
        for category, levels in s["by_category_level"].items():
            parts = "，".join(f"{LEVELS[lv]}{n}件" for lv, n in levels.items())
            w(f"  {CATEGORIES[category]:<10}{sum(levels.values())}件（{parts}）")
        w(f"  主办/会办     {s['by_role']['lead']} / {s['by_role']['co']}")
        w(f"  领办件        {s['leader_led']}")
        w(
            f"  已答复        {s[REPLIED_KEY]}（按期 {s['replied_on_time']}，按期率 {percent(s['on_time_rate'])}）"
        )
        w(f"  超期未复      {s['overdue_unreplied']}（截至 {s['as_of']}，已过答复期限尚未答复）")
        w("  答复类别      " + "，".join(f"{k}类{v}件" for k, v in s["reply_class"].items()))
        w("  评价          " + "，".join(f"{RATINGS[k]}{v}件" for k, v in s["feedback"].items()))
        w(f"  满意率        {percent(s['satisfaction_rate'])}")
        w(f"  面商率        {percent(s['face_to_face_rate'])}")
        w(f"  成果转化      {s['outcomes']}")
        if s["by_topic"]:
            w("  主题          " + "，".join(f"{k}{v}件" for k, v in s["by_topic"].items()))
        if s["by_unit"]:
            w("  主办处室      件数  已答复  按期率  满意率")
            for row in s["by_unit"]:
                w(
                    f"  {row['name']:<12}{row['total']:>4}  {row[REPLIED_KEY]:>6}  {percent(row['on_time_rate']):>6}  {percent(row['satisfaction_rate']):>6}"
                )


def _dumps(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2)

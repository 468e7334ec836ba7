from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from cases.models.choices import PROPOSAL_CATEGORIES
from transfer.exporting import export_workbook


class Command(BaseCommand):
    help = "导出议提案台账（.xlsx，列与导入模板相同，可修改后再导入）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（不填则导出全部）")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, year: int | None, output: str, **options):
        cases = Case.objects.filter(category__in=PROPOSAL_CATEGORIES)
        heading = "议提案办理台账"
        if year is not None:
            cases = cases.filter(year=year)
            heading = f"{year}年度议提案办理台账"
        count = cases.count()
        description = f"筛选条件：{year}年度" if year is not None else "筛选条件：全部办件"
        data = export_workbook(cases, heading=heading, description=description)
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入“{output}”：{exc.strerror}") from None
        self.stdout.write(f"已导出{count}件到 {output}")

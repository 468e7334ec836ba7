from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.access import MAX_YEAR, MIN_YEAR
from reports.summary import annual_summary, summary_filename


class Command(BaseCommand):
    help = (
        "生成议提案年度工作总结（Word，公文格式）：基本情况和办理情况按数据写成，其余部分留待填写"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument(
            "-o",
            "--output",
            help="输出文件（.docx），默认为当前目录下的“YYYY年度议提案办理工作总结.docx”",
        )

    def handle(self, *args, year: int, output: str | None, **options):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"年度应为{MIN_YEAR}至{MAX_YEAR}之间的整数")
        path = Path(output or summary_filename(year))
        if path.suffix.lower() != ".docx":
            raise CommandError("输出文件应以 .docx 结尾")
        if not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent}")
        path.write_bytes(annual_summary(year))
        self.stdout.write(f"已生成 {path}")

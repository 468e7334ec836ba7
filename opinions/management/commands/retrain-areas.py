"""`huiyin retrain-areas`: the area suggestion learns from what staff confirmed.

Writes every area staff confirmed or changed (opinions.Opinion.area with the person who
confirmed it) to the confirmed-areas file (opinions.areas.confirmed_path), which every
process adds to the committed sample when it next trains (within a minute). Reports how
the model did on those opinions before they were learned: its macro-F1 against staff."""

import csv
import os
import tempfile
from typing import Any

from django.core.management.base import BaseCommand

from opinions import areas
from opinions.models import Opinion


class Command(BaseCommand):
    help = "用已确认的领域重新训练领域建议"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只报告，不写文件")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [
            (area, f"{title}\n{content}")
            for area, title, content in Opinion.objects.filter(area_confirmed_by__isnull=False)
            .exclude(area="")
            .values_list("area", "case__title", "case__content")
            .iterator(chunk_size=2000)
        ]
        if not rows:
            self.stdout.write("还没有人工确认的领域，模型保持不变。")
            return
        from sklearn.metrics import f1_score  # type: ignore[import-untyped]

        before = areas.suggest_areas([text for _, text in rows])
        score = f1_score([area for area, _ in rows], before, average="macro")
        changed = sum(1 for (area, _), guess in zip(rows, before, strict=True) if area != guess)
        self.stdout.write(
            f"人工确认 {len(rows)} 条，其中 {changed} 条改了系统建议；"
            f"当前模型在这些意见上的 macro-F1 为 {score:.3f}"
        )
        if options["dry_run"]:
            return
        path = areas.confirmed_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".csv")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["area", "text"])
            writer.writerows(rows)
        os.replace(temporary, path)  # readers see the old file or the new one, never half
        used = areas.train(rows)
        self.stdout.write(f"已写入 {path}，新模型用 {used} 条样本训练；各进程一分钟内改用新模型。")

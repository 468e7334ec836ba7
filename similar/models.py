"""What the similar app keeps: the lead unit suggested at each 交办 and whether it was taken."""

from django.db import models


class RoutingSuggestion(models.Model):
    """The lead unit suggested when a case was assigned (similar.routing), the one chosen,
    and whether they agree: the suggestion's acceptance rate is counted from these."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="routing_suggestions"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="建议主办处室",
    )
    reason = models.TextField("建议理由", blank=True)
    score = models.FloatField("把握", default=0.0)
    made_on = models.DateField("交办日期")
    chosen = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="实际主办处室",
    )
    # None: nothing was suggested (no earlier case or topic to go by).
    taken = models.BooleanField("采纳", null=True)

    class Meta:
        verbose_name = "主办处室建议"
        verbose_name_plural = "主办处室建议"
        ordering = ["-made_on", "-id"]
        indexes = [models.Index(fields=["made_on"], name="routing_made_on")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.unit_id} → {self.chosen_id}"

from django.apps import AppConfig


class SimilarConfig(AppConfig):
    """Similar cases (character n-grams), 并案 and the lead unit's routing suggestion."""

    name = "similar"
    verbose_name = "相似件与并案"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from similar import panels  # noqa: F401  (registers the case page's panel)

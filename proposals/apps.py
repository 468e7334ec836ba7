from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "议提案"

    def ready(self) -> None:
        from proposals import spec  # noqa: F401  (registers the 议提案 workflow)

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The proposer's side: signed links to a case's progress, ratings through them."""

    name = "portal"
    verbose_name = "代表委员征询"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import (
            panels,  # noqa: F401  (registers the case page's link panel)
            wording,
        )

        wording.register()  # how this app's events read on the 办理轨迹

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = "清单化管理"

    def ready(self) -> None:
        from lists import spec  # noqa: F401  (registers the list_item workflow)

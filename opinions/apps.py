from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "opinions"
    verbose_name = "群众意见建议"

    def ready(self) -> None:
        from opinions import spec  # noqa: F401  (registers the public_opinion workflow)

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程"

    def ready(self) -> None:
        from workflow import proposals  # noqa: F401  (registers the 议提案 workflows)

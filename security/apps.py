from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        from security.receivers import connect

        connect()

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from orgs.accounts import note_login

        user_logged_in.connect(note_login, dispatch_uid="orgs.note_login")

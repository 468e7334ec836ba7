"""The `huiyin` console script: Django's management commands with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    # `huiyin check-deploy`, `huiyin rotate-key`: our commands' names as people type them
    # (Django's own names have no hyphen, so nothing else is renamed).
    if args and not args[0].startswith("-") and "-" in args[0]:
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["huiyin", *args])


if __name__ == "__main__":
    main()

"""The `huiyin` console script: Django's management commands with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and "-" in args[0] and not args[0].startswith("-"):
        # Commands are typed with hyphens (`huiyin import-cases`, `huiyin check-deploy`); a
        # command whose module is spelt with underscores answers to the hyphenated name too.
        import django
        from django.core.management import get_commands

        django.setup()
        known = get_commands()
        if args[0] not in known and args[0].replace("-", "_") in known:
            args[0] = args[0].replace("-", "_")
    execute_from_command_line(["huiyin", *args])


if __name__ == "__main__":
    main()

"""The case page's panel of this app (web/panels.py); registered by the AppConfig."""

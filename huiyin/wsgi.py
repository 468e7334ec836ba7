import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
application = get_wsgi_application()

# Every server loads this module (runserver through WSGI_APPLICATION): outside the demo it
# refuses to serve while an account still has the demo's public password.
from orgs.accounts import check_serving  # noqa: E402  (needs the apps loaded above)

check_serving()

# Each server process builds its similar-case index now, beside the requests, instead of in
# the first request that shows similar cases (seconds at 100,000 议提案: similar/index.py).
if os.environ.get("HUIYIN_SIMILAR_WARM", "1") not in ("0", "off", "false", "no"):
    import threading

    from similar.index import warm

    threading.Thread(target=warm, name="similar-warm", daemon=True).start()

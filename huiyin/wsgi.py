import gc
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
application = get_wsgi_application()

# Every server loads this module (runserver through WSGI_APPLICATION): outside the demo it
# refuses to serve while an account still has the demo's public password.
from orgs.accounts import check_serving  # noqa: E402  (needs the apps loaded above)

check_serving()

# What is loaded by now (Django, the apps, their modules) lives as long as the process:
# frozen out of the cyclic collector's way, so that its full collections, which otherwise
# walk all of it in the middle of a request (180 ms at a time, measured), walk only what
# requests make. Reference counting still frees what is dropped.
FREEZE = os.environ.get("HUIYIN_GC_FREEZE", "1") not in ("0", "off", "false", "no")
if FREEZE:
    gc.freeze()

# Each server process builds its similar-case index now, beside the requests, instead of in
# the first request that shows similar cases (seconds at 100,000 议提案: similar/index.py).
if os.environ.get("HUIYIN_SIMILAR_WARM", "1") not in ("0", "off", "false", "no"):
    from similar.index import warm

    def _warm() -> None:
        from django.db import connection

        try:
            warm()
        finally:
            connection.close()  # this thread's own
        if FREEZE:
            gc.freeze()  # the index, too

    threading.Thread(target=_warm, name="similar-warm", daemon=True).start()

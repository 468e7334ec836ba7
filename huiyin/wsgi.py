import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
application = get_wsgi_application()

# Every server loads this module (runserver through WSGI_APPLICATION): outside the demo it
# refuses to serve while an account still has the demo's public password.
from orgs.accounts import check_serving  # noqa: E402  (needs the apps loaded above)

check_serving()

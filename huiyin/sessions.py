"""Sessions in the database that know when they were last saved (SESSION_ENGINE).

Every save, wherever it comes from (a login, a test's force_login, a renewal), records its
time in the session: huiyin.middleware.SessionMiddleware saves a session that a request
only read when that time is more than HUIYIN_SESSION_TOUCH_SECONDS old, so that a page
view writes nothing and the stored expiry (the idle timeout) still follows the user's
activity to within that interval.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession

# When the session was last saved, in seconds since the epoch.
TOUCHED_KEY = "_huiyin_touched"


class SessionStore(DatabaseSessionStore):
    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        # The row every save writes; `data` is the session's own dict, so the request's
        # session knows the time too.
        data[TOUCHED_KEY] = int(time.time())
        return super().create_model_instance(data)


def touch_due(session: SessionBase) -> bool:
    """Whether a request that only read `session` should save it: its stored expiry (the
    last save + SESSION_COOKIE_AGE) lags more than the touch interval behind the one this
    request would give it."""
    touched = session.get(TOUCHED_KEY)
    if not isinstance(touched, int):
        return True  # saved before sessions recorded it
    return int(time.time()) - touched > settings.HUIYIN_SESSION_TOUCH_SECONDS

"""/supervision/ — 督查督办 on the web: the board (督办一览), the registration page and the
督办单 of an item. The case page and its actions are the shared ones (/cases/<id>/)."""

from django.urls import URLPattern, URLResolver, path

from supervision import board, notice

app_name = "supervision_web"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", board.board_page, name="board"),
    path("new/", board.register_page, name="new"),
    path("<int:case_id>/notice.docx", notice.notice_download, name="notice"),
]

"""挂图作战, 主体责任清单 and 新建清单 (lists/board.py, lists/duty.py, lists/list_form.py)."""

from django.urls import URLPattern, URLResolver, path

from lists import board, duty, list_form

urlpatterns: list[URLPattern | URLResolver] = [
    path("board/", board.board_page, name="board_all"),
    path("<int:pk>/board/", board.board_page, name="board"),
    path("duty/", duty.duty_index, name="duty"),
    path("duty/<slug:code>/", duty.duty_unit, name="duty_unit"),
    path("new/", list_form.new_list, name="new"),
]

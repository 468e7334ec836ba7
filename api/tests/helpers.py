"""Talking to the API the way a client does: a token from the endpoint, JSON both ways."""

import json
from typing import Any

from django.test import Client

BASE = "/api/v1"


def token_for(username: str, client: Client | None = None) -> str:
    client = client or Client()
    body = {"username": username, "password": f"pw-{username}"}
    response = client.post(f"{BASE}/auth/token", body, content_type="application/json")
    if response.status_code == 401 and response.json().get("otp_required"):
        # An administrator (issue 16): a second factor, here one of their recovery codes.
        from django.contrib.auth import get_user_model

        from security.tests.helpers import recovery_code_for

        user = get_user_model().objects.get(username=username)
        body["otp"] = recovery_code_for(user)
        response = client.post(f"{BASE}/auth/token", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


class ApiClient:
    """A client bound to one user's bearer token."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.client = Client()
        self.token = token_for(username, self.client)

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(BASE + path, params or {}, **self._headers())

    def post(self, path: str, data: Any = None, raw: str | bytes | None = None):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(
            BASE + path, body, content_type="application/json", **self._headers()
        )

    def act(self, case_id: int, action: str, data: Any = None, raw: str | None = None):
        return self.post(f"/cases/{case_id}/actions/{action}", data, raw=raw)


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content.decode())
    return response.json()


def register_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": 2026,
        "session": "市十五届人大五次会议",
        "number": "20260001",
        "title": "关于加强基层医疗卫生人才队伍建设的建议",
        "content": "建议加大基层卫生人才培养力度。",
        "lead_proposer": "陈代表",
        "joint_proposers": ["刘代表", "周代表"],
        "mode": "lead",
        "topics": ["基层卫生", "人才"],
        "received_on": "2026-03-02",
    }
    body.update(overrides)
    return body

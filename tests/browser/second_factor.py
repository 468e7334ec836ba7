"""Logging in through the form as a user who needs the second factor (the administrators):
enrol at the first login (the secret read from the page), or give the current code."""

import time

import pyotp
from playwright.sync_api import Page


def log_in_with_code(page: Page, base_url: str, username: str, *, next_path: str = "") -> str:
    """Log `username` (password pw-<username>) in; enrols them when they have no device.
    Returns the secret (kept in page.context for later logins of the same test)."""
    suffix = f"?next={next_path}" if next_path else ""
    page.goto(base_url + "/login/" + suffix)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/security/**")
    secrets: dict[str, str] = page.context.__dict__.setdefault("_huiyin_secrets", {})
    if "/security/enrol/" in page.url:
        secret = page.locator("#otp-secret").inner_text().replace(" ", "")
        secrets[username] = secret
        page.get_by_label("应用显示的6位数字").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="完成绑定").click()
        page.get_by_role("link", name="我已保存，继续").click()
    else:
        secret = secrets[username]
        # A code is good once: wait for the next 30-second step if this one was used.
        used = secrets.get(username + ":step")
        if used is not None and int(used) == int(time.time()) // 30:
            time.sleep(30 - time.time() % 30 + 0.5)
        page.get_by_label("手机验证器上的6位数字").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="验证并登录").click()
    secrets[username + ":step"] = str(int(time.time()) // 30)
    page.wait_for_url(lambda url: "/security/" not in url and "/login/" not in url)
    return secret

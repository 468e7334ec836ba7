"""deploy/: the nginx site, the systemd units and the environment example say what the
settings and docs/deployment.md expect."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
SETTINGS_SOURCE = (Path(settings.BASE_DIR) / "huiyin" / "settings.py").read_text()
# Read by `huiyin serve` (ops/management/commands/serve.py), not by the settings.
SERVE_SOURCE = (
    Path(settings.BASE_DIR) / "ops" / "management" / "commands" / "serve.py"
).read_text()


def nginx() -> str:
    return (DEPLOY / "nginx-huiyin.conf").read_text()


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text())
    return parser


def test_nginx_redirects_to_https_and_sends_hsts():
    text = nginx()
    assert re.search(
        r"listen 80;\s+listen \[::\]:80;[^}]*return 301 https://\$host\$request_uri;", text
    )
    assert "listen 443 ssl" in text and "ssl_certificate " in text
    assert re.search(r'Strict-Transport-Security "max-age=(\d+)', text)
    assert int(re.search(r"max-age=(\d+)", text)[1]) >= 180 * 24 * 3600


def test_nginx_upload_limit_covers_the_setting():
    size = re.search(r"client_max_body_size (\d+)([km]?);", nginx())
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[size[2]]
    assert int(size[1]) * factor >= settings.HUIYIN_UPLOAD_MAX_BYTES


def test_nginx_serves_hashed_static_files_for_a_year_and_proxies_with_the_right_headers():
    text = nginx()
    assert "location /static/" in text and "alias /var/lib/huiyin/static/;" in text
    assert "immutable" in text and "max-age=31536000" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text  # SECURE_PROXY_SSL_HEADER
    assert "proxy_set_header Host $host;" in text
    assert "HTTP_X_FORWARDED_PROTO" in SETTINGS_SOURCE
    assert "location /media/ { return 404; }" in text  # attachments only through Django


def test_the_service_runs_huiyin_serve_and_the_timer_the_backup():
    service = unit("huiyin.service")["Service"]
    assert service["ExecStart"].endswith("/.venv/bin/huiyin serve")
    assert service["EnvironmentFile"] == "/etc/huiyin/huiyin.env"
    assert service["User"] == "huiyin" and service["UMask"] == "0077"
    backup = unit("huiyin-backup.service")["Service"]
    assert backup["ExecStart"].endswith("/.venv/bin/huiyin backup") and backup["Type"] == "oneshot"
    timer = unit("huiyin-backup.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:00:00" and timer["Install"]["WantedBy"]


def test_the_environment_example_names_real_settings_and_every_production_one():
    lines = (DEPLOY / "huiyin.env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z0-9_]+=", line)}
    for name in names:
        assert f'"{name}"' in SETTINGS_SOURCE + SERVE_SOURCE, name
    needed = {
        "HUIYIN_DEBUG",
        "HUIYIN_SECRET_KEY",
        "HUIYIN_ALLOWED_HOSTS",
        "DATABASE_URL",
        "HUIYIN_KEY_DIR",
        "HUIYIN_BACKUP_DIR",
        "HUIYIN_BEHIND_PROXY",
        "HUIYIN_HSTS_SECONDS",
        "HUIYIN_2FA_ROLES",
        "HUIYIN_CSRF_TRUSTED_ORIGINS",
        "HUIYIN_MEDIA_ROOT",
        "HUIYIN_VAR_DIR",
    }
    assert needed <= names
    assert "HUIYIN_DEMO=" not in "\n".join(lines)
    assert "leader" in next(line for line in lines if line.startswith("HUIYIN_2FA_ROLES="))


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
def test_nginx_accepts_the_site(tmp_path):
    main = tmp_path / "nginx.conf"
    main.write_text(f"events {{}}\nhttp {{ include {DEPLOY / 'nginx-huiyin.conf'}; }}\n")
    done = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True)
    assert done.returncode == 0 or "certificate" in done.stderr, done.stderr

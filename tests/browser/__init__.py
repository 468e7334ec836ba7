"""End-to-end tests in Debian's Chromium, driven by Playwright (see conftest.py here)."""

# The skip reason when Chromium is missing; tests/conftest.py counts skips by this text.
CHROMIUM_MISSING = "浏览器测试已跳过：未安装 Chromium（apt-get install chromium）"

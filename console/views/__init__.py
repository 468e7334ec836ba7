"""The console: administration for administrators, without Django admin."""

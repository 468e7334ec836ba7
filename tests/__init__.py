"""Project-wide tests: cross-app behaviour and end-to-end browser tests (tests/browser/)."""

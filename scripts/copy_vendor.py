#!/usr/bin/env python3
"""Copy the pinned front-end packages from node_modules/ into web/static/vendor/.

`npm ci` installs the exact versions in package-lock.json and this script copies the
few files the templates use. One file is built rather than copied: the dashboard's
ECharts, bundled by esbuild (pinned in package.json's devDependencies) from ECharts' own
ES modules with only the charts and components reports/static/reports/dashboard.js uses
(scripts/echarts_dashboard.js): 0.5 MB instead of the full 1.03 MB (172 KB gzipped
instead of 334 KB). It keeps the full build's name and global (`window.echarts`). The
destination is gitignored and rebuilt from scratch on every run, so a file dropped from
this list never lingers; each file keeps the time of its sources, so that `make run`
collects the static files again only when one changed. Standard library only: it runs
before the virtualenv exists. `make static` runs it.

Resulting layout (for `{% static %}` in templates):

    vendor/bootstrap/bootstrap.min.css         (+ .map)
    vendor/bootstrap/bootstrap.bundle.min.js   (+ .map)
    vendor/bootstrap-icons/bootstrap-icons.min.css
    vendor/bootstrap-icons/fonts/bootstrap-icons.woff2, .woff
    vendor/htmx/htmx.min.js
    vendor/echarts/echarts.min.js              (built: bar + pie, canvas)
    vendor/VERSIONS.txt
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LOCKFILE = ROOT / "package-lock.json"
DEST = ROOT / "web" / "static" / "vendor"

# (npm package, path inside the package, path under vendor/). A directory is copied whole.
# The .map files are copied because the minified files name them: without them a browser's
# devtools and Django's ManifestStaticFilesStorage (collectstatic) look for missing files.
FILES: list[tuple[str, str, str]] = [
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"),
    (
        "bootstrap-icons",
        "font/bootstrap-icons.min.css",
        "bootstrap-icons/bootstrap-icons.min.css",
    ),
    ("bootstrap-icons", "font/fonts", "bootstrap-icons/fonts"),
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
]
# (entry under scripts/, path under vendor/, the npm packages it is built from): bundled by
# esbuild into one minified script that sets a global, as the package's own dist file does.
BUNDLES: list[tuple[str, str, tuple[str, ...]]] = [
    ("echarts_dashboard.js", "echarts/echarts.min.js", ("echarts", "zrender", "tslib")),
]
BUILDER = "esbuild"


class VendorError(Exception):
    pass


def locked_versions() -> dict[str, str]:
    """Versions package-lock.json pins for the packages we copy from."""
    try:
        lock = json.loads(LOCKFILE.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VendorError(f"{LOCKFILE.name} is missing: it pins the front-end packages") from exc
    packages = lock.get("packages", {})
    versions = {}
    wanted = {package for package, _, _ in FILES}
    wanted |= {package for *_, packages in BUNDLES for package in packages} | {BUILDER}
    for name in sorted(wanted):
        entry = packages.get(f"node_modules/{name}")
        if not entry or "version" not in entry:
            raise VendorError(f"{LOCKFILE.name} does not pin {name}")
        versions[name] = entry["version"]
    return versions


def installed_version(name: str) -> str | None:
    manifest = NODE_MODULES / name / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except FileNotFoundError:
        return None


def check_node_modules(versions: dict[str, str]) -> None:
    if not NODE_MODULES.is_dir():
        raise VendorError(
            f"{NODE_MODULES} is missing.\n"
            "Install the pinned front-end packages first: `npm ci` (or simply `make static`)."
        )
    stale = []
    for name, wanted in versions.items():
        have = installed_version(name)
        if have != wanted:
            stale.append(
                f"  {name}: package-lock.json pins {wanted}, node_modules has {have or 'nothing'}"
            )
    if stale:
        raise VendorError(
            "node_modules does not match package-lock.json:\n"
            + "\n".join(stale)
            + "\nRun `npm ci` (or `make static`) to reinstall."
        )


def copy_all() -> int:
    if DEST.exists():
        shutil.rmtree(DEST)
    count = 0
    for package, source_rel, dest_rel in FILES:
        source = NODE_MODULES / package / source_rel
        target = DEST / dest_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
            count += sum(1 for path in target.rglob("*") if path.is_file())
        elif source.is_file():
            shutil.copy2(source, target)
            count += 1
        else:
            raise VendorError(f"{source} is missing from the installed {package} package")
    return count


def build_all(versions: dict[str, str]) -> int:
    """Bundle each entry with esbuild (from node_modules: it works offline)."""
    esbuild = NODE_MODULES / ".bin" / BUILDER
    for entry, dest_rel, packages in BUNDLES:
        source = Path(__file__).resolve().parent / entry
        target = DEST / dest_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        made_from = ", ".join(f"{name} {versions[name]}" for name in packages)
        banner = f"/*! {entry} bundled by {BUILDER} {versions[BUILDER]}: {made_from} (Apache-2.0, BSD-3-Clause, 0BSD) */"
        command = [str(esbuild), str(source), "--bundle", "--minify", "--format=iife",
                   "--target=es2017", "--log-level=warning", f"--banner:js={banner}",
                   f"--outfile={target}"]  # fmt: skip
        try:
            subprocess.run(command, cwd=ROOT, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise VendorError(f"{BUILDER} could not build {dest_rel} from {entry}: {exc}") from exc
        newest = max(source.stat().st_mtime, LOCKFILE.stat().st_mtime)
        os.utime(target, (newest, newest))
    return len(BUNDLES)


def main() -> int:
    try:
        versions = locked_versions()
        check_node_modules(versions)
        count = copy_all() + build_all(versions)
    except VendorError as exc:
        print(f"copy_vendor: error: {exc}", file=sys.stderr)
        return 1
    lines = [f"{name}=={version}" for name, version in versions.items()]
    stamp = DEST / "VERSIONS.txt"
    stamp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(stamp, (LOCKFILE.stat().st_mtime, LOCKFILE.stat().st_mtime))
    print(
        f"copy_vendor: {count} files into {DEST.relative_to(ROOT)}/ ({', '.join(lines)})",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

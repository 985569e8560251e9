"""Fetch the front-end packages the desk serves, from the npm registry, at pinned versions.

`static-vendor.json` names each package, its exact version and which files of its
tarball the desk serves (tarball path -> path under config/static/vendor/). This
script downloads each tarball with `npm pack`, checks it against the integrity
recorded in `static-vendor.lock.json` (or records it the first time), copies the
named files, and records every copied file's SHA-256. The copied files are
committed: neither the run command nor CI needs npm or the network.

    .venv/bin/python scripts/vendor_static.py          # fetch, verify, copy, lock
    .venv/bin/python scripts/vendor_static.py --check  # committed files match the lock

Changing a version: edit static-vendor.json, delete that package's entry from the
lock, run the script, commit the manifest, the lock and the files together.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "static-vendor.json"
LOCK = ROOT / "static-vendor.lock.json"
DEST = ROOT / "config" / "static" / "vendor"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _pack(name: str, version: str, workdir: Path) -> tuple[Path, str]:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to fetch packages (apt-get install npm)")
    out = subprocess.run(  # noqa: S603 - fixed argv, names from the committed manifest
        [npm, "pack", f"{name}@{version}", "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    ).stdout
    info = json.loads(out)[0]
    if info["version"] != version:
        raise SystemExit(f"{name}: asked for {version}, npm gave {info['version']}")
    return workdir / info["filename"], str(info["integrity"])


def fetch() -> None:
    manifest = _load(MANIFEST)
    lock = _load(LOCK)
    new_lock: dict[str, Any] = {}
    for name, spec in manifest["packages"].items():
        version = spec["version"]
        with tempfile.TemporaryDirectory() as tmp:
            tarball, integrity = _pack(name, version, Path(tmp))
            known = lock.get(name, {})
            if known.get("version") == version and known.get("integrity") != integrity:
                raise SystemExit(f"{name}@{version}: integrity changed on the registry")
            files: dict[str, str] = {}
            with tarfile.open(tarball) as tar:
                for src, dest in spec["files"].items():
                    member = tar.extractfile(f"package/{src}")
                    if member is None:
                        raise SystemExit(f"{name}@{version}: no file {src}")
                    target = DEST / dest
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(member.read())
                    files[dest] = _sha256(target)
            new_lock[name] = {
                "version": version,
                "license": spec.get("license", ""),
                "integrity": integrity,
                "files": files,
            }
            print(f"{name}@{version}: {len(files)} file(s)")
    LOCK.write_text(json.dumps(new_lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def check() -> int:
    """Every locked file is present under config/static/vendor with its recorded hash."""
    problems = []
    for name, entry in _load(LOCK).items():
        for dest, digest in entry["files"].items():
            path = DEST / dest
            if not path.exists():
                problems.append(f"{name}: {dest} is missing")
            elif _sha256(path) != digest:
                problems.append(f"{name}: {dest} differs from the lock")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify committed files only")
    args = parser.parse_args()
    if args.check:
        return check()
    fetch()
    return check()


if __name__ == "__main__":
    raise SystemExit(main())

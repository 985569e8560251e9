"""Email import side by side with django-helpdesk, on the same files and machine.

    .venv/bin/python bench/email_vs_django_helpdesk.py            # 2,000 mails
    .venv/bin/python bench/email_vs_django_helpdesk.py --quick    # 300 mails, <= 60 s

Generates realistic mail (bench/_mail_corpus.py: half new conversations, half
replies with In-Reply-To/References, English and Persian in UTF-8 and
windows-1256, QP/base64 bodies, RFC 2047 headers, some PDF/PNG/JPEG attachments)
as .eml files in a temporary directory, then in the same run:

- ours: `manage.py import_mail --inbox bench DIR` on a fresh SQLite file (no Redis);
- django-helpdesk from PyPI in its own venv (built once, kept in var/bench-dh-venv),
  a minimal project on SQLite with the same pragmas, `manage.py get_email` with a queue in
  local-directory mode.

Each side is timed around its command only (after Django has started), then is
offered the same files again. Reported: messages/s and CPU ms per message for
both, the ratio (ours / theirs), replies threaded into the ticket of their
conversation, and messages created again on the second offer. django-helpdesk
processes a directory in os.listdir() order (not arrival order) and deletes
what it processed, so it gets a fresh copy per pass, one directory per reply
generation (parents before replies, as mail arriving at successive polls); ours
reads one directory in file-name (arrival) order.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _dh_project  # noqa: E402
import _mail_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "email_vs_django_helpdesk.jsonl"
RUNNER = ROOT / "bench" / "_mail_runner.py"
STEP_TIMEOUT_S = 900.0  # any one subprocess, whatever the count


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Side:
    """One desk: its python, its environment, and the runner's commands."""

    def __init__(self, name: str, python: Path, env: dict[str, str], cwd: Path) -> None:
        self.name, self.python, self.env, self.cwd = name, python, env, cwd

    def call(self, *args: str, timeout: float) -> dict[str, Any]:
        done = subprocess.run(
            [str(self.python), str(RUNNER), self.name, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.name} {args[0]} failed:\n{done.stderr[-4000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _base_env() -> dict[str, str]:
    drop = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "MEDIA_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONUTF8"] = "1"  # django-helpdesk opens mail files in text mode
    return env


def ours(tmp: Path) -> Side:
    env = _base_env() | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'ours' / 'ours.sqlite3'}",
        "HELPDESK_VAR_DIR": str(tmp / "ours"),
        "CHANNEL_LAYER_PREFIX": "bench-mail",
    }
    (tmp / "ours").mkdir()
    return Side("ours", Path(sys.executable), env, ROOT)


def theirs(tmp: Path, python: Path | None) -> tuple[Side, str]:
    if python is None:  # kept between runs under var/ (git-ignored)
        python = _dh_project.cached(ROOT / "var" / "bench-dh-venv", tmp)
    else:  # a venv made by an earlier run (--dh-python): only the project is written
        _dh_project.write_project(tmp)
    env = _base_env() | {
        "DJANGO_SETTINGS_MODULE": "dhbench.settings",
        "PYTHONPATH": str(tmp / "dh-project"),
    }
    return Side("theirs", python, env, tmp / "dh-project"), _dh_project.version(python)


def _generation_copy(corpus: Path, manifest: list[_mail_corpus.Entry], dest: Path) -> list[str]:
    dirs: dict[int, Path] = {}
    for entry in manifest:
        folder = dirs.setdefault(entry.generation, dest / f"gen{entry.generation:02d}")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / entry.file, folder / entry.file)
    return [str(dirs[g]) for g in sorted(dirs)]


def threading_stats(manifest: list[_mail_corpus.Entry], found: dict[str, int]) -> dict[str, int]:
    """Replies whose message landed on the ticket of their conversation's first mail."""
    roots = [e for e in manifest if e.generation == 0]
    ticket_of_root = {e.message_id: found.get(e.message_id) for e in roots}
    opened = Counter(ticket_of_root.values())
    own = sum(1 for t, n in opened.items() if t is not None and n == 1)
    replies = [e for e in manifest if e.generation > 0]
    threaded = sum(
        1
        for e in replies
        if found.get(e.message_id) is not None
        and found.get(e.message_id) == ticket_of_root.get(e.root)
    )
    return {
        "stored": sum(1 for e in manifest if e.message_id in found),
        "replies": len(replies),
        "replies_threaded": threaded,
        "new_with_own_ticket": own,
        "new": len(roots),
    }


def measure(
    side: Side, label: str, passes: list[list[str]], tmp: Path, timeout: float
) -> dict[str, Any]:
    """Set up a fresh database, offer the files twice, dump message-id -> ticket."""
    side.call("setup", timeout=timeout)
    first = side.call("run", *passes[0], timeout=timeout)
    second = side.call("run", *passes[1], timeout=timeout)
    side.call("map", str(tmp / f"{label}-map.json"), timeout=timeout)
    if first.get("left"):  # the peer logs and skips a mail it fails on: no valid ratio then
        raise RuntimeError(f"{side.name} ({label}) left {first['left']} files unprocessed")
    return {"first": first, "second": second, "map": tmp / f"{label}-map.json"}


def _row(name: str, result: dict[str, Any], count: int, stats: dict[str, int]) -> dict[str, Any]:
    first, second = result["first"], result["second"]
    seconds, cpu = first["seconds"], first["cpu_seconds"]
    again = second["created"]
    return {
        "desk": name,
        "messages": count,
        "stored": stats["stored"],
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1) if seconds else 0.0,
        "cpu_ms_per_message": round(1000 * cpu / count, 2),
        "replies": stats["replies"],
        "replies_threaded": stats["replies_threaded"],
        "new_with_own_ticket": stats["new_with_own_ticket"],
        "new": stats["new"],
        "duplicates_on_reoffer": again["messages"] + again.get("quarantined", 0),
        "tickets_on_reoffer": again["tickets"],
        "first_output": first["output"],
        "second_output": second["output"],
    }


def _print(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'desk':<22} {'mails':>6} {'stored':>6} {'seconds':>8} {'msg/s':>7} {'cpu ms/msg':>10} "
        f"{'replies threaded':>17} {'new own ticket':>15} {'dup on re-offer':>15}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['desk']:<22} {r['messages']:>6} {r['stored']:>6} {r['seconds']:>8} "
            f"{r['per_second']:>7} {r['cpu_ms_per_message']:>10} "
            f"{str(r['replies_threaded']) + '/' + str(r['replies']):>17} "
            f"{str(r['new_with_own_ticket']) + '/' + str(r['new']):>15} "
            f"{r['duplicates_on_reoffer']:>15}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="300 mails, without the one-directory pass, at most 60 s",
    )
    parser.add_argument("--count", type=int, help="mails to generate (default 2000; 300 quick)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--dh-python", type=Path, help="python of an existing django-helpdesk venv (skip pip)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    count = min(opts.count or (300 if opts.quick else 2000), 20_000)
    timeout = 60.0 if opts.quick else STEP_TIMEOUT_S
    tmp = Path(tempfile.mkdtemp(prefix="hd-bench-mail-"))
    try:
        rows, version = run(tmp, count, opts.seed, opts.dh_python, timeout, not opts.quick)
    finally:
        if opts.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    _print(rows)
    ratio = rows[0]["per_second"] / rows[1]["per_second"] if rows[1]["per_second"] else 0.0
    cpu_ratio = rows[1]["cpu_ms_per_message"] / max(rows[0]["cpu_ms_per_message"], 1e-9)
    record = {
        "bench": "email_vs_django_helpdesk",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": opts.quick,
        "machine": f"{platform.node()} {os.cpu_count()} cores {_cpu_model()}",
        "peer": version,
        "seed": opts.seed,
        "rows": rows,
        "ratio": round(ratio, 2),
        "cpu_ratio": round(cpu_ratio, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"peer: {version}; CPU per message, theirs / ours: {cpu_ratio:.2f}x")
    print(f"headline: ours / django-helpdesk messages per second: {ratio:.2f}x")


def run(
    tmp: Path, count: int, seed: int, dh_python: Path | None, timeout: float, one_dir: bool
) -> tuple[list[dict[str, Any]], str]:
    corpus = tmp / "corpus"
    manifest = _mail_corpus.write_corpus(corpus, count, seed)
    side_ours = ours(tmp)
    side_theirs, version = theirs(tmp, dh_python)
    results = {
        "ours": measure(side_ours, "ours", [[str(corpus)], [str(corpus)]], tmp, timeout),
        "django-helpdesk": measure(
            side_theirs,
            "theirs",
            [_generation_copy(corpus, manifest, tmp / f"pass{n}") for n in (1, 2)],
            tmp,
            timeout,
        ),
    }
    if one_dir:
        # The same peer offered one directory, as a mail drop collects it: it reads
        # in os.listdir() order, so a reply may come before the mail it answers.
        # (Not in --quick, which keeps to the minute.)
        side_theirs.env = side_theirs.env | {"DH_DATABASE": str(tmp / "dh-one-dir.sqlite3")}
        dirs = [[str(_plain_copy(corpus, tmp / f"one{n}"))] for n in (1, 2)]
        results["django-helpdesk 1 dir"] = measure(side_theirs, "one-dir", dirs, tmp, timeout)
    rows = []
    for label, result in results.items():
        found = json.loads(result["map"].read_text())
        rows.append(_row(label, result, count, threading_stats(manifest, found)))
    return rows, version


def _plain_copy(corpus: Path, dest: Path) -> Path:
    shutil.copytree(corpus, dest)
    return dest


if __name__ == "__main__":
    main()

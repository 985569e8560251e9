"""Peak memory of receiving one large mail (issue 13, defect 6).

Generates a mail of about `--mb` megabytes (default 60) whose bulk is base64
attachments (three files of random bytes, each under the attachment limit),
then in a fresh subprocess, against a fresh SQLite database and a temporary
media directory, runs the path the listener and the import take for it
(`channels_in.email.receive.process_raw`: parse, ingest, attachment files).
The child reports the peak resident set (`ru_maxrss`), the resident set just
before it read the mail (Django loaded, database migrated), both as a multiple
of the mail's size, the time `process_raw` took, and how many temporary files
of spooled attachments were left behind (its own TMPDIR: there should be none).

    .venv/bin/python bench/mail_memory.py [--mb 60] [--no-record]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import append_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FILES = 3


def write_mail(path: Path, megabytes: float) -> int:
    """A multipart mail of about `megabytes` MB (base64 attachments), written to `path`."""
    per_file = int(megabytes * 1024 * 1024 * 3 / 4 / FILES)
    with path.open("wb") as fh:
        fh.write(
            b"From: Big Sender <big@example.com>\r\n"
            b"To: support@example.com\r\n"
            b"Subject: large attachments\r\n"
            b"Message-ID: <large-mail@bench.example>\r\n"
            b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n"
            b"MIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="BOUNDARY"\r\n\r\n'
            b"--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Here are the files.\r\n"
        )
        for n in range(FILES):
            fh.write(
                b"--BOUNDARY\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: base64\r\n"
                b'Content-Disposition: attachment; filename="file%d.bin"\r\n\r\n' % n
            )
            data = base64.encodebytes(os.urandom(per_file))  # 76-character lines
            fh.write(data.replace(b"\n", b"\r\n"))
        fh.write(b"--BOUNDARY--\r\n")
    return path.stat().st_size


CHILD = r"""
import json, os, resource, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
"""

MEASURE = r"""
import json, os, resource, sys, time
import django
django.setup()
from channels_in.email.receive import process_raw
from helpdesk.models import Attachment, Inbox, Team

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

team = Team.objects.create(name="bench")
inbox = Inbox.objects.create(kind="email", name="bench", team=team)
before = rss_mb()
with open(sys.argv[1], "rb") as fh:
    raw = fh.read()
started = time.perf_counter()
result = process_raw(inbox, raw, source="bench")
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "outcome": str(result.outcome),
    "attachments": Attachment.objects.count(),
    "spool_files_left": len(os.listdir(os.environ["TMPDIR"])),
    "seconds": round(seconds, 2),
    "rss_before_mb": round(before, 1),
    "peak_rss_mb": round(peak, 1),
}))
"""


def measure(mail: Path, work: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HELPDESK_VAR_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(work / "tmp"),  # spooled attachments: counted when the mail is stored
    }
    (work / "tmp").mkdir()
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)  # SQLite in `work`: nothing shared with other runs
    (work / "secret_key.txt").write_text("bench-" + "x" * 60)
    subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, check=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(mail)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=60.0, help="size of the mail (MB)")
    parser.add_argument("--no-record", action="store_true", help="do not append to results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mail-memory-") as tmp:
        work = Path(tmp)
        mail = work / "large.eml"
        size = write_mail(mail, args.mb)
        result = measure(mail, work)
    size_mb = size / 1024 / 1024
    peak = float(result["peak_rss_mb"])  # type: ignore[arg-type]
    before = float(result["rss_before_mb"])  # type: ignore[arg-type]
    record = {
        "mail_mb": round(size_mb, 1),
        **result,
        "peak_x_mail": round(peak / size_mb, 2),
        "growth_x_mail": round((peak - before) / size_mb, 2),
    }
    print(json.dumps(record))
    if not args.no_record:
        append_result("mail_memory.jsonl", "mail_memory", record)


if __name__ == "__main__":
    main()

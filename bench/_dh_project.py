"""A django-helpdesk install for the email side-by-side bench.

`cached(cache, workdir)` reuses the virtual environment in `cache`, or makes it
(`install`: the project's Python, django-helpdesk from PyPI with a Django its
release declares support for), and writes a minimal Django project under
`workdir` (SQLite, teams mode off, mail to the dummy backend, uploads under
`workdir`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# django-helpdesk 2.6.1 declares Django 5.2 and 6.0; pip would otherwise pull 6.1.
REQUIREMENTS = ["django-helpdesk==2.6.1", "Django>=6.0,<6.1"]

SETTINGS = """\
import os
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "dhbench.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
# The same SQLite settings as ours (helpdesk/env.py), so the database is not the difference.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DH_DATABASE", str(BASE / "dh.sqlite3")),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1
STATIC_URL = "/static/"
MEDIA_ROOT = BASE / "media"
MEDIA_URL = "/media/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "support@bench.example"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
"""

# django-helpdesk's own URLconf (its package is `helpdesk`, like ours): a rename of
# ours once rewrote this line too, and every mail then failed while building its
# notification's ticket URL (8 of 300 stored). The bench now fails if files are left.
URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""


def cached(cache: Path, workdir: Path) -> Path:
    """The venv kept in `cache` from an earlier run (built there on the first), and the
    project under `workdir`: pip takes minutes, and `--quick` must stay under one."""
    python = cache / "bin" / "python"
    wanted = "django-helpdesk " + REQUIREMENTS[0].split("==")[1]
    try:
        usable = version(python).startswith(wanted)
    except (OSError, subprocess.CalledProcessError):
        usable = False
    if not usable:
        shutil.rmtree(cache, ignore_errors=True)
        python = install(workdir, venv=cache)
    write_project(workdir)
    return python


def install(workdir: Path, venv: Path | None = None) -> Path:
    """Create the venv (under `workdir` unless given); return the venv's python."""
    venv = venv or workdir / "dh-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = subprocess.run([*pip, *REQUIREMENTS], capture_output=True, text=True)
    if done.returncode != 0:  # pip's "Location ... ignored" warnings are noise; failures are not
        raise RuntimeError(f"pip install {' '.join(REQUIREMENTS)} failed:\n{done.stderr[-3000:]}")
    return python


def write_project(workdir: Path) -> None:
    """The minimal Django project `dhbench` under `workdir/dh-project`."""
    project = workdir / "dh-project" / "dhbench"
    project.mkdir(parents=True, exist_ok=True)
    (project / "__init__.py").write_text("")
    (project / "settings.py").write_text(SETTINGS)
    (project / "urls.py").write_text(URLS)


def version(python: Path) -> str:
    """`django-helpdesk X / Django Y` as installed in the venv."""
    code = (
        "from importlib.metadata import version as v;"
        "print(f\"django-helpdesk {v('django-helpdesk')} / Django {v('Django')}\")"
    )
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.strip()

"""Issue 12, deploy-clean: no known key in production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    # A fresh process (the settings are read once, at start) with none of the test run's variables.
    base = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    refused = _run("check", env={"BKB_ALLOW_DEV_KEY": "true"})  # the old escape no longer works
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in refused.stderr
    assert _run("check", env={"DEBUG": "true"}).returncode == 0  # make run: the fixed dev key

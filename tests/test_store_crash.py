"""A store killed with SIGKILL in the middle of saving loses nothing it committed."""

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bchook_studio.core.store import Store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL"),
]

KILLS = 30
FIRST_LINE_TIMEOUT = 20.0
REPOSITORY = Path(__file__).resolve().parent.parent

# The child saves webhooks (with a secret and receiver rules) and records a
# setting, printing each committed id only after save_webhook has returned.
_CHILD = """
import sys
from pathlib import Path

from bchook_studio.core.store import Store
from bchook_studio.core.webhook import Webhook

path, run = Path(sys.argv[1]), int(sys.argv[2])
store = Store.open(path, lock_wait=10)
for index in range(100_000):
    webhook = Webhook(
        name=f"run {run} hook {index}",
        url=f"http://127.0.0.1/{run}/{index}",
        body="x" * (index % 4000),
        auth_enabled=True,
        username="u",
        password="p" * 8,
    )
    webhook_id = store.save_webhook(webhook, receiver_rules=[{"n": index}])
    store.set_setting("crash.last", index)
    print(webhook_id, webhook.name, flush=True)
"""


def _run_and_kill(database: Path, run: int, rng: random.Random) -> dict[int, str]:
    """Start the child, kill it 20-200 ms after its first commit, return commits."""
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(database), str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=REPOSITORY,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        try:
            ready, _, _ = select.select([child.stdout], [], [], FIRST_LINE_TIMEOUT)
            assert ready, f"the child committed nothing in {FIRST_LINE_TIMEOUT} s"
            first = child.stdout.readline()
            assert first, child.stderr.read().decode()
            time.sleep(rng.uniform(0.020, 0.200))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        # Read through the same buffered reader as readline(), which may
        # already hold lines read ahead; communicate() would skip them.
        rest = child.stdout.read()
        errors = child.stderr.read()

    assert child.returncode == -signal.SIGKILL, errors.decode()
    committed = {}
    for line in (first + rest).decode().splitlines(keepends=True):
        if not line.endswith("\n"):
            continue  # cut off by the kill; its commit may or may not have landed
        webhook_id, _, name = line.rstrip("\n").partition(" ")
        committed[int(webhook_id)] = name
    return committed


def test_kill_mid_save_keeps_commits(tmp_path):
    database = tmp_path / "studio.sqlite3"
    rng = random.Random(20261204)
    committed: dict[int, str] = {}

    for run in range(KILLS):
        committed.update(_run_and_kill(database, run, rng))

        with Store.open(database, lock_wait=5) as store:
            notices = store.notices
            read_only = store.read_only
            saved = {summary.id: summary.name for summary in store.list_webhooks()}

        assert notices == (), f"run {run}: {notices}"
        assert read_only is False
        missing = {i: name for i, name in committed.items() if saved.get(i) != name}
        assert missing == {}, f"run {run} lost {len(missing)} committed webhooks"

    assert len(committed) > KILLS

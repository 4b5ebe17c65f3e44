"""The built wheel carries the topic resources and finds them without the checkout."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs under `python -I`, which ignores PYTHONPATH and the current folder but keeps
# the venv's site-packages. The editable install's .pth file still adds the checkout
# to sys.path, so the script removes that entry before putting the wheel's install
# folder first.
CHECK_SCRIPT = """
import importlib.util
import sys
from pathlib import Path

target = Path(sys.argv[1]).resolve()
checkout = Path(sys.argv[2]).resolve()
sys.path[:] = [entry for entry in sys.path if Path(entry).resolve() != checkout]
sys.path.insert(0, str(target))

import bchook_studio
from bchook_studio.core import resources, topics

print(Path(bchook_studio.__file__).resolve())
print(Path(str(resources.resources_root())).resolve())
print(len(topics.all_topics()) == 24)
print(topics.find_topic("sale.new").example_event()["payload"]["user"]["email"])
print(importlib.util.find_spec("httpx") is not None)
"""


def wheel_command(out_dir: Path) -> list[str]:
    """Return the command that builds the wheel into out_dir.

    Only the hatchling branch works offline. `python -m build` and a plain
    `pip wheel` build in an isolated environment and download hatchling from
    the package index.
    """
    if importlib.util.find_spec("hatchling") is not None:
        return [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out_dir),
            str(ROOT),
        ]
    if importlib.util.find_spec("build") is not None:
        return [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--outdir",
            str(out_dir),
            str(ROOT),
        ]
    return [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-w",
        str(out_dir),
        str(ROOT),
    ]


def run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """Build the wheel, install it without dependencies and return that folder."""
    work = tmp_path_factory.mktemp("wheel")
    wheels = work / "wheels"
    target = work / "target"

    built = run(wheel_command(wheels), cwd=work, timeout=240)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = sorted(wheels.glob("bchook_studio-*.whl"))

    install = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-index",
        "--target",
        str(target),
        str(wheel),
    ]
    installed = run(install, cwd=work, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return target


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_wheel_ships_topic_files(installed_wheel):
    shipped = installed_wheel / "bchook_studio" / "_resources" / "topics"
    checkout = ROOT / "resources" / "topics"
    assert sorted(path.name for path in shipped.iterdir()) == sorted(
        path.name for path in checkout.iterdir()
    )


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_wheel_loads_topics_without_checkout(installed_wheel, tmp_path):
    command = [
        sys.executable,
        "-I",
        "-c",
        CHECK_SCRIPT,
        str(installed_wheel),
        str(ROOT),
    ]
    result = run(command, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr

    package_file, root, has_24, email, has_httpx = result.stdout.splitlines()
    assert Path(package_file).is_relative_to(installed_wheel.resolve())
    assert Path(root) == (installed_wheel / "bchook_studio" / "_resources").resolve()
    assert has_24 == "True"
    assert email == "yasin@example.com"
    assert has_httpx == "True"

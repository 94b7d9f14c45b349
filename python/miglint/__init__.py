"""miglint: a fast, static linter for Alembic migration files.

The package holds no Python API: it ships the ``miglint`` binary (installed
next to the Python interpreter's scripts) and ``python -m miglint``, which
runs that binary. ``python -m`` is what Alembic's ``module`` post-write hook
runner calls, so the hook works even when the environment's ``bin`` folder
is not on ``PATH``.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

__all__ = ["find_miglint_bin"]


def find_miglint_bin() -> str:
    """The path of the ``miglint`` binary installed with this package."""
    name = "miglint" + (sysconfig.get_config_var("EXE") or "")
    folders = [sysconfig.get_path("scripts")]
    user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    try:
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    # `pip install --target DIR` puts the package in DIR and the binary in DIR/bin
    folders.append(str(Path(__file__).resolve().parent.parent / "bin"))
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    raise FileNotFoundError(
        f"the miglint binary was not found in any of: {', '.join(folders)}"
    )


def _run() -> None:
    binary = find_miglint_bin()
    args = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call(args))
    os.execv(binary, args)

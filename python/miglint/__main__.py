"""``python -m miglint ARGS``: run the miglint binary of this installation."""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path


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


def main() -> None:
    binary = find_miglint_bin()
    args = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call(args))
    os.execv(binary, args)


if __name__ == "__main__":
    main()

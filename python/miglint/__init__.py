"""miglint: a fast, static linter for Alembic migration files.

The package holds no Python API: it ships the ``miglint`` binary (installed
next to the Python interpreter's scripts) and ``python -m miglint``, which
runs that binary. ``python -m`` is what Alembic's ``module`` post-write hook
runner calls, so the hook works even when the environment's ``bin`` folder
is not on ``PATH``.
"""

from miglint.__main__ import find_miglint_bin

__all__ = ["find_miglint_bin"]

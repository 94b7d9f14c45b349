"""``python -m miglint ARGS``: run the miglint binary of this installation."""

from miglint import _run

if __name__ == "__main__":
    _run()

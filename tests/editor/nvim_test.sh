#!/usr/bin/env bash
# A real editor client against `miglint server`: Neovim (Debian's package,
# installed when missing) opens a migration of a temporary project, receives
# the diagnostics, applies the quick fix, writes the file; this script then
# checks the file's text. Uses MIGLINT_BIN when set, else the debug build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "nvim_test: $*" >&2; }

if ! command -v nvim >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        say "neovim is missing; install it (apt-get install neovim) or run as root"
        exit 1
    fi
    say "apt-get install neovim"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq neovim >/dev/null
fi

BIN="${MIGLINT_BIN:-$ROOT/target/debug/miglint}"
if [ -z "${MIGLINT_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --locked -q -p miglint)
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/proj/alembic/versions"
printf '[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql://localhost/app\n' \
    > "$TMP/proj/alembic.ini"
cat > "$TMP/proj/alembic/versions/a1_base.py" <<'PY'
"""base"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("users")
PY
# non-ASCII text before the finding: positions must be UTF-16
cat > "$TMP/proj/alembic/versions/b2_flag.py" <<'PY'
"""add users.é😀"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("é😀", sa.Boolean(), nullable=False, server_default=sa.text("1")))


def downgrade():
    op.drop_column("users", "é😀")
PY
sed 's/server_default=sa.text("1")/server_default=sa.true()/' \
    "$TMP/proj/alembic/versions/b2_flag.py" > "$TMP/expected.py"

start=$(date +%s.%N)
status=0
(cd "$TMP/proj" && MIGLINT_BIN="$BIN" MIGLINT_ROOT="$TMP/proj" \
    MIGLINT_FILE="$TMP/proj/alembic/versions/b2_flag.py" MIGLINT_TRANSCRIPT="$TMP/transcript" \
    timeout 120 nvim --headless -u NONE -i NONE -n \
        -c "luafile $ROOT/tests/editor/nvim_test.lua" >/dev/null 2>"$TMP/nvim.err") || status=$?
end=$(date +%s.%N)
cat "$TMP/transcript" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
    say "neovim exited with $status"
    cat "$TMP/nvim.err" >&2 || true
    echo "neovim: 0 passed, 1 failed"
    exit 1
fi
if ! diff -u "$TMP/expected.py" "$TMP/proj/alembic/versions/b2_flag.py"; then
    say "the fixed file is not as expected"
    echo "neovim: 0 passed, 1 failed"
    exit 1
fi
say "the written file has the fix ($(awk "BEGIN{printf \"%.1f\", $end-$start}") s in neovim)"
echo "neovim: 1 passed, 0 failed"

from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE mood ADD VALUE 'meh'")


def downgrade():
    pass

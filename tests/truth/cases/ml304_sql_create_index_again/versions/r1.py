from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("a", sa.Integer()))
    op.create_index("ix_t_a", "t", ["a"])


def downgrade():
    pass

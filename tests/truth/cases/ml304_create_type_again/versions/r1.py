from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "t",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("m", sa.Enum("a", "b", name="mood")),
    )


def downgrade():
    pass

from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    pass

from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = ""


def upgrade():
    op.create_table("u", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("u")

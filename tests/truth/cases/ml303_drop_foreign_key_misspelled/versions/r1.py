from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("p_id", sa.Integer()))
    op.create_foreign_key("fk_t_p", "t", "p", ["p_id"], ["id"])


def downgrade():
    pass

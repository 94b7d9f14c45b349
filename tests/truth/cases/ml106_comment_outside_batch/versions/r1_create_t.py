"""create t with one row

Revision ID: r1
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "t",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("amount", sa.Integer()),
        sa.Column("u_id", sa.Integer()),
        sa.UniqueConstraint("name", name="uq_t_name"),
    )
    op.execute("INSERT INTO t (id) VALUES (1)")
    op.create_table("u", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("t")
    op.drop_table("u")

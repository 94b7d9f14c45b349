"""alter t in batch

Revision ID: r2
Revises: r1
"""
from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("name", type_=sa.String(100), existing_type=sa.String(50))
        batch_op.alter_column("amount", server_default="0", existing_type=sa.Integer())
        batch_op.drop_constraint("uq_t_name", type_="unique")
        batch_op.create_unique_constraint("uq_t_amount", ["amount"])
        batch_op.create_check_constraint("ck_t_amount", "amount >= 0")
        batch_op.create_foreign_key("fk_t_u", "u", ["u_id"], ["id"])


def downgrade():
    pass

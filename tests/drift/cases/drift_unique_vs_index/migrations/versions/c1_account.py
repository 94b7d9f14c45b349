"""account

Revision ID: c1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=50), nullable=False),
        sa.Column("tenant", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_email", "account", ["email"], unique=True)
    with op.batch_alter_table("account") as batch_op:
        batch_op.create_unique_constraint("uq_account_login_tenant", ["login", "tenant"])


def downgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_constraint("uq_account_login_tenant", type_="unique")
    op.drop_index("ix_account_email", table_name="account")
    op.drop_table("account")

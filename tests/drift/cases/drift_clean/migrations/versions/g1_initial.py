"""initial

Revision ID: g1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "g1"
down_revision = None


def upgrade():
    op.create_table(
        "customer",
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("email", name=op.f("uq_customer_email")),
    )
    op.create_index(op.f("ix_customer_name"), "customer", ["name"], unique=False)
    op.create_table(
        "orders",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("total >= 0", name=op.f("ck_orders_positive_total")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_orders_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index("ix_orders_customer_total", "orders", ["customer_id", "total"], unique=False)
    op.create_table(
        "order_tag",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_tag_order_id_orders")),
        sa.PrimaryKeyConstraint("order_id", "tag", name=op.f("pk_order_tag")),
    )

import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("prices", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("amount", sa.Numeric(10, 2), nullable=False))
    op.execute("INSERT INTO prices (id, amount) VALUES (1, 1.50), (2, 20.25)")


def downgrade():
    pass

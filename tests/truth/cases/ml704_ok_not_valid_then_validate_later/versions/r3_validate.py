import sqlalchemy as sa
from alembic import op

revision = "r3"
down_revision = "r2"


def upgrade():
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user")


def downgrade():
    pass

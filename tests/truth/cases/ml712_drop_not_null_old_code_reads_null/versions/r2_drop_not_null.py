import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    # batch: SQLite has no ALTER COLUMN; elsewhere it emits the plain ALTER
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(100), nullable=True)


def downgrade():
    pass

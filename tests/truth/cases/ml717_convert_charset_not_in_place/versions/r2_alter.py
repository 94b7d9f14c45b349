import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("ALTER TABLE notes CONVERT TO CHARACTER SET utf8mb4")


def downgrade():
    pass

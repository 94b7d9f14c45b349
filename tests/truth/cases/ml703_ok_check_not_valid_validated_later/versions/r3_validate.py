import sqlalchemy as sa
from alembic import op

revision = "r3"
down_revision = "r2"


def upgrade():
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_nn")


def downgrade():
    pass

from alembic import op

revision = "r3"
down_revision = "r2"


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email_idx")


def downgrade():
    op.drop_constraint("uq_users_email", "users", type_="unique")

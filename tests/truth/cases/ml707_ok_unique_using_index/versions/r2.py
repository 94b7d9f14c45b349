from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("uq_users_email_idx", "users", ["email"], unique=True, postgresql_concurrently=True)


def downgrade():
    op.drop_index("uq_users_email_idx", table_name="users")

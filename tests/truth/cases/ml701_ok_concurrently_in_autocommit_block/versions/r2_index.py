from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_events_user_id", "events", ["user_id"], postgresql_concurrently=True)
        op.drop_index("ix_events_old", table_name="events", postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_events_user_id", table_name="events")

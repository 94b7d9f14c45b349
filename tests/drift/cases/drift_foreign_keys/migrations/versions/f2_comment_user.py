"""comment.user_id references user, made in a batch (SQLite recreates the table)

Revision ID: f2
Revises: f1
"""
from alembic import op

revision = "f2"
down_revision = "f1"


def upgrade():
    with op.batch_alter_table("comment") as batch_op:
        batch_op.create_foreign_key("fk_comment_user", "user", ["user_id"], ["id"])


def downgrade():
    with op.batch_alter_table("comment") as batch_op:
        batch_op.drop_constraint("fk_comment_user", type_="foreignkey")

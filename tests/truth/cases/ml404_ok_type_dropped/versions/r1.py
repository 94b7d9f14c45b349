from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.Enum("draft", "published", name="post_status")),
    )


def downgrade():
    op.drop_table("posts")
    sa.Enum(name="post_status").drop(op.get_bind(), checkfirst=False)

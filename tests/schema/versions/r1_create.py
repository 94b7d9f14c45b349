from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None

status = sa.Enum("draft", "published", name="post_status")


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", status, nullable=True),
        sa.UniqueConstraint("title", name="uq_posts_title"),
    )
    op.create_index("ix_posts_status", "posts", ["status"])


def downgrade():
    op.drop_table("posts")

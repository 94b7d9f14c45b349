from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("posts", sa.Column("body", sa.Text()))
    op.execute("UPDATE posts SET body = '' WHERE body IS NULL")
    op.alter_column("posts", "body", existing_type=sa.Text(), nullable=False)
    op.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL DEFAULT '')")
    op.execute("ALTER TABLE audit ADD COLUMN at TIMESTAMP")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_seq")


def downgrade():
    op.drop_column("posts", "body")
    op.execute("DROP TABLE audit")

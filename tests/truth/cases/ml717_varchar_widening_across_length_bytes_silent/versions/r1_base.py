import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("nick", sa.String(20)),
        sa.Column("bio", sa.String(100)),
        sa.Column("city", sa.String(30)),
    )
    op.execute("INSERT INTO users (id, code, nick, bio, city) VALUES (1, 'a', 'n', 'b', 'c'), (2, 'b', NULL, NULL, NULL)")


def downgrade():
    pass

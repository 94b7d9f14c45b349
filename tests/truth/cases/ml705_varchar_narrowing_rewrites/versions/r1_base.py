import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("bio", sa.String(100)),
    )
    op.execute("INSERT INTO users (id, name, bio) SELECT g, 'n' || g, 'b' || g FROM generate_series(1, 100) g")


def downgrade():
    op.drop_table("users")

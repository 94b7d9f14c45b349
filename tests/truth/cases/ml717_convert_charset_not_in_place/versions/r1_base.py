import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", sa.String(50)), mysql_charset="latin1")
    op.execute("INSERT INTO notes (id, body) VALUES (1, 'x'), (2, 'y')")


def downgrade():
    pass

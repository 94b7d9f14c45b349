import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    # a scratch table created and dropped in the same revision: no running code knows it
    op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO scratch (id) VALUES (1)")
    op.drop_table("scratch")


def downgrade():
    pass

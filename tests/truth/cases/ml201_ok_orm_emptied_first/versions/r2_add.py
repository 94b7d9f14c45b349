"""empty t through the ORM (session.query(Model).delete()), then add a NOT NULL column

Revision ID: r2
Revises: r1
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import orm

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None

Base = orm.declarative_base()


class T(Base):
    __tablename__ = "t"
    id = sa.Column(sa.Integer, primary_key=True)


def upgrade():
    session = orm.Session(bind=op.get_bind())
    session.query(T).delete()
    session.flush()
    op.add_column("t", sa.Column("x", sa.Integer(), nullable=False))


def downgrade():
    op.drop_column("t", "x")

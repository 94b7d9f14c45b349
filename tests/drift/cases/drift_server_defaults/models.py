import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Setting(Base):
    __tablename__ = "setting"

    id = sa.Column(sa.Integer, primary_key=True)
    # the migration says 'pending'
    status = sa.Column(sa.String(20), nullable=False, server_default="active")
    # the migration says 2
    level = sa.Column(sa.Integer, nullable=False, server_default="1")
    # the migration gives it a default, the models none
    note = sa.Column(sa.String(50))
    # the same constants, written differently: not drift
    retries = sa.Column(sa.Integer, nullable=False, server_default="3")
    label = sa.Column(sa.String(20), nullable=False, server_default=sa.text("'x'"))
    # an expression on both sides: compared by the database, not by miglint
    created_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())

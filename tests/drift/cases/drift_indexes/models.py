import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "user"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False)
    name = sa.Column(sa.String(100), index=True)
    city = sa.Column(sa.String(100))
    __table_args__ = (sa.Index("ix_user_city", "city"),)

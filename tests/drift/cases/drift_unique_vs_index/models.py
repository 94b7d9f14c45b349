import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Account(Base):
    __tablename__ = "account"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False, unique=True)
    login = sa.Column(sa.String(50), nullable=False)
    tenant = sa.Column(sa.Integer, nullable=False)
    __table_args__ = (
        sa.UniqueConstraint("tenant", "login", name="uq_account_tenant_login"),
        sa.Index("ix_account_phone", "login", "tenant", unique=True),
    )

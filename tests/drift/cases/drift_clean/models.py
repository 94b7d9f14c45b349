import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=convention)


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[Optional[datetime.datetime]]


class Entity(Base):
    __abstract__ = True
    id: Mapped[int] = mapped_column(primary_key=True)


class Customer(TimestampMixin, Entity):
    __tablename__ = "customer"

    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    orders: Mapped[list["Order"]] = relationship(back_populates="customer")


class Order(TimestampMixin, Entity):
    __tablename__ = "orders"

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    total: Mapped[int] = mapped_column(sa.Integer)
    customer: Mapped[Customer] = relationship(back_populates="orders")
    __table_args__ = (
        sa.Index("ix_orders_customer_total", "customer_id", "total"),
        sa.CheckConstraint("total >= 0", name="positive_total"),
    )


order_tag = sa.Table(
    "order_tag",
    Base.metadata,
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("tag", sa.String(30), primary_key=True),
)

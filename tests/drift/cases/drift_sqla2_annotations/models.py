from __future__ import annotations

import datetime
from typing import Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Group(Base):
    __tablename__ = "group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))


class GroupOwned:
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id"))

    @declared_attr
    def group(cls) -> Mapped[Group]:
        return relationship(Group)


class Membership(GroupOwned, Base):
    __tablename__ = "membership"

    user_id: Mapped[int]
    role: Mapped[str | None] = mapped_column(sa.String(20))
    rank: Mapped[Union[int, None]]
    joined: Mapped["datetime.datetime"]
    left: Mapped[Optional[datetime.datetime]] = mapped_column(nullable=False)
    active: Mapped[bool]
    __table_args__ = (sa.PrimaryKeyConstraint("group_id", "user_id"),)

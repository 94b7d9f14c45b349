import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime())
    updated_at: Mapped[Optional[datetime.datetime]] = mapped_column(sa.DateTime())

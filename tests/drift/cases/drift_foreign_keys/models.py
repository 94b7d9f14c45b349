import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "user"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False)


class Post(Base):
    __tablename__ = "post"

    id = sa.Column(sa.Integer, primary_key=True)
    # the migration has no ON DELETE: remove_fk + add_fk
    author_id = sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    # no migration adds this one: add_fk
    editor_id = sa.Column(sa.Integer, sa.ForeignKey("user.id"))


class Comment(Base):
    __tablename__ = "comment"

    id = sa.Column(sa.Integer, primary_key=True)
    post_id = sa.Column(sa.Integer, nullable=False)
    # the migration's foreign key has another name: names are not compared
    user_id = sa.Column(sa.Integer, sa.ForeignKey("user.id", name="fk_comment_writer"))
    # the migrations' foreign key on reviewer_id is gone here: remove_fk
    reviewer_id = sa.Column(sa.Integer)
    __table_args__ = (
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="no action"),
    )

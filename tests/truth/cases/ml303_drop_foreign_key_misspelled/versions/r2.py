from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.drop_constraint("fk_t_p_id", "t", type_="foreignkey")


def downgrade():
    pass

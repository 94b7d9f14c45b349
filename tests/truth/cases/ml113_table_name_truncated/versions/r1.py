from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("organization_membership_invitations_with_a_really_long_table_name_x", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO organization_membership_invitations_with_a_really_long_table_name_x (id) VALUES (1)")


def downgrade():
    pass

import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE measurements (id int NOT NULL, ts date NOT NULL) PARTITION BY RANGE (ts)")
    op.execute("CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    op.execute("CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")
    op.execute("INSERT INTO measurements SELECT g, DATE '2024-01-01' + g FROM generate_series(1, 500) g")


def downgrade():
    pass

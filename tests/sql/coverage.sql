-- One statement per line. Lines starting with `--` and blank lines are skipped.
-- crates/miglint_sql/tests/coverage.rs records which sqlparser dialects parse each one.
INSERT OR REPLACE INTO settings (key, value) VALUES ('theme', 'dark')
INSERT OR IGNORE INTO roles (name) VALUES ('admin')
PRAGMA foreign_keys=ON
PRAGMA foreign_keys = OFF
CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)
INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING
INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = excluded.b
SELECT '7'::integer
UPDATE users SET created_at = updated_at::timestamptz WHERE created_at IS NULL
CREATE TABLE `x` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))
INSERT IGNORE INTO tags (name) VALUES ('a')
INSERT INTO counters (k, n) VALUES ('a', 1) ON DUPLICATE KEY UPDATE n = n + 1
REPLACE INTO settings (key, value) VALUES ('a', 'b')
CREATE TABLE x (id SERIAL PRIMARY KEY)
CREATE EXTENSION IF NOT EXISTS pgcrypto
CREATE EXTENSION IF NOT EXISTS "uuid-ossp"
CREATE INDEX CONCURRENTLY ix ON t (a)
CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email ON users (email)
CREATE INDEX ix_users_lower_email ON users (lower(email))
DROP INDEX CONCURRENTLY ix
DROP INDEX IF EXISTS ix_users_email
DROP INDEX ix_users_email ON users
ALTER TYPE status_enum ADD VALUE 'archived'
ALTER TYPE status_enum ADD VALUE IF NOT EXISTS 'archived' AFTER 'active'
ALTER TYPE status_enum RENAME VALUE 'old' TO 'new'
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('sad'); END IF; END $$
ALTER SEQUENCE users_id_seq RESTART WITH 1000
SELECT setval('users_id_seq', (SELECT max(id) FROM users))
SET CONSTRAINTS ALL DEFERRED
SET lock_timeout = '5s'
SET statement_timeout TO 0
REINDEX INDEX ix_users_email
VACUUM ANALYZE users
ANALYZE users
UPDATE users SET name = %(name)s WHERE id = %(id)s
UPDATE users SET name = %s WHERE id = %s
UPDATE users SET name = :name WHERE id = :id
DELETE FROM sessions
DELETE FROM sessions WHERE expires_at < now()
TRUNCATE TABLE audit_log
UPDATE users SET active = true WHERE active IS NULL
ALTER TABLE users ADD COLUMN age INTEGER DEFAULT 0 NOT NULL
ALTER TABLE users ALTER COLUMN age SET NOT NULL
ALTER TABLE users DROP COLUMN IF EXISTS age
ALTER TABLE users RENAME COLUMN fullname TO full_name
ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID
ALTER TABLE orders VALIDATE CONSTRAINT fk_user
COMMENT ON COLUMN users.email IS 'login address'
GRANT SELECT ON users TO reporting
CREATE VIEW active_users AS SELECT * FROM users WHERE active
CREATE MATERIALIZED VIEW mv AS SELECT 1
REFRESH MATERIALIZED VIEW CONCURRENTLY mv
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql
CREATE TRIGGER trg_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()
CREATE TRIGGER trg_audit AFTER INSERT ON users BEGIN INSERT INTO audit (user_id) VALUES (NEW.id); END
SELECT * FROM users WHERE email ILIKE '%@example.com'
INSERT INTO users (name) VALUES ('a') RETURNING id
WITH moved AS (DELETE FROM old_t RETURNING *) INSERT INTO new_t SELECT * FROM moved
UPDATE t SET a = b FROM u WHERE t.id = u.id
CREATE TABLE t2 AS SELECT * FROM t
ALTER TABLE t ENGINE=InnoDB
SELECT datetime('now')
LOCK TABLE users IN ACCESS EXCLUSIVE MODE
BEGIN
COMMIT
CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, data JSONB DEFAULT '{}'::jsonb)
DROP TABLE IF EXISTS legacy CASCADE
DROP TYPE IF EXISTS mood
CREATE SCHEMA IF NOT EXISTS audit
SET search_path TO public
INSERT INTO t (id, data) VALUES (1, '{}'::jsonb)
SELECT gen_random_uuid()
CREATE INDEX ix_t_data ON t USING gin (data jsonb_path_ops)
UPDATE "Users" SET "Name" = 'x' WHERE "Name" IS NULL
INSERT INTO t (a) SELECT a FROM u WHERE a IS NOT NULL

-- Creates the saga role and one database per service; idempotent, so docker's initdb hook and infra/local can both run it.
-- psql only (\gexec): CREATE DATABASE cannot run inside a DO block, so the missing ones are generated and executed.

-- Superuser keeps local development simple (services run their own migrations, tests create/drop schemas).
-- In the official image POSTGRES_USER=saga already created it, so this is skipped there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'saga') THEN
    CREATE ROLE saga LOGIN SUPERUSER PASSWORD 'saga';
  END IF;
END
$$;

-- One database per service (no service reads another's tables; provider_db is the simulated card provider's
-- books), plus saga_test for library tests.
SELECT format('CREATE DATABASE %I OWNER saga', db)
FROM unnest(ARRAY['order_db', 'inventory_db', 'payment_db', 'notification_db', 'provider_db', 'saga_test']) AS db
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db)
\gexec

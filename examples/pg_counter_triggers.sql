-- The cost of keeping `device_counts` on PostgreSQL: 50,000 devices inserted in one transaction
-- into the generated million-device database, first with the row-level trigger migration 0004
-- first had, then with the statement-level triggers it ships, whose counters are then checked
-- against real counts after an UPDATE of `is_online` and a DELETE. Everything is rolled back.
-- Run after `device_bench generate` (BENCHMARKS.md) on a database generated with the row-level
-- trigger, i.e. before re-creating it; the figures it gave are in BENCHMARKS.md:
--   psql postgres://postgres@127.0.0.1:5432/bo_bench -f examples/pg_counter_triggers.sql
\timing on
BEGIN;
INSERT INTO devices (corp_id, product_id, mac, name, create_time)
  SELECT p.corp_id, p.id, 'F' || lpad(to_hex(g), 11, '0'), 'gen ' || g, 0
  FROM generate_series(1, 50000) g, (SELECT id, corp_id FROM products ORDER BY id LIMIT 1) p;
ROLLBACK;
BEGIN;
DROP TRIGGER devices_count_change ON devices;
DROP TRIGGER devices_count_update ON devices;
CREATE FUNCTION devices_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO device_counts (product_id, is_online, n)
        SELECT product_id, is_online, COUNT(*) FROM new_rows GROUP BY product_id, is_online
        ON CONFLICT (product_id, is_online) DO UPDATE SET n = device_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION devices_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE device_counts c SET n = c.n - gone.n
        FROM (SELECT product_id, is_online, COUNT(*) AS n FROM old_rows GROUP BY product_id, is_online) gone
        WHERE c.product_id = gone.product_id AND c.is_online = gone.is_online;
    RETURN NULL;
END
$$;

-- Only rows whose product or online state changed move between counters.
CREATE FUNCTION devices_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE device_counts c SET n = c.n - moved.n
        FROM (SELECT o.product_id, o.is_online, COUNT(*) AS n
              FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE o.is_online IS DISTINCT FROM w.is_online OR o.product_id IS DISTINCT FROM w.product_id
              GROUP BY o.product_id, o.is_online) moved
        WHERE c.product_id = moved.product_id AND c.is_online = moved.is_online;
    INSERT INTO device_counts (product_id, is_online, n)
        SELECT w.product_id, w.is_online, COUNT(*)
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE o.is_online IS DISTINCT FROM w.is_online OR o.product_id IS DISTINCT FROM w.product_id
        GROUP BY w.product_id, w.is_online
        ON CONFLICT (product_id, is_online) DO UPDATE SET n = device_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER devices_count_insert AFTER INSERT ON devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_count_insert();
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_count_delete();
CREATE TRIGGER devices_count_update AFTER UPDATE ON devices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_count_update();

INSERT INTO devices (corp_id, product_id, mac, name, create_time)
  SELECT p.corp_id, p.id, 'F' || lpad(to_hex(g), 11, '0'), 'gen ' || g, 0
  FROM generate_series(1, 50000) g, (SELECT id, corp_id FROM products ORDER BY id LIMIT 1) p;
SELECT product_id, is_online, n FROM device_counts ORDER BY n DESC LIMIT 3;
UPDATE devices SET is_online = NOT is_online WHERE id IN (SELECT id FROM devices WHERE mac LIKE 'F%' LIMIT 1000);
DELETE FROM devices WHERE mac LIKE 'F0000000%';
SELECT c.product_id, c.is_online, c.n, (SELECT COUNT(*) FROM devices d WHERE d.product_id = c.product_id AND d.is_online = c.is_online) AS actual FROM device_counts c ORDER BY n DESC LIMIT 4;
ROLLBACK;

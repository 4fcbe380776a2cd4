-- How many devices each product has, online and offline, kept by triggers whoever writes the
-- devices (this server, an import, the device connectivity side setting `is_online`). A corp's
-- device table opens on "all devices of the product" or "its online (offline) ones"; counting
-- those rows is O(devices) for a 400,000-device product, so the list reads these counters
-- instead (BENCHMARKS.md). Every other filter counts its own index range.
CREATE TABLE device_counts (
    product_id  TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    is_online   BOOLEAN NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, is_online)
);
INSERT INTO device_counts (product_id, is_online, n)
    SELECT product_id, is_online, COUNT(*) FROM devices GROUP BY product_id, is_online;

-- Statement-level triggers over transition tables: one upsert per product and state for a whole
-- multi-row INSERT (an import of 2,000 devices), not 2,000 updates of the same counter row
-- (each of which, inside one transaction, walks that row's growing chain of versions).
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

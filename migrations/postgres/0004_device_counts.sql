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

CREATE FUNCTION devices_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE device_counts SET n = n - 1 WHERE product_id = OLD.product_id AND is_online = OLD.is_online;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO device_counts (product_id, is_online, n) VALUES (NEW.product_id, NEW.is_online, 1)
            ON CONFLICT (product_id, is_online) DO UPDATE SET n = device_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER devices_count_change AFTER INSERT OR DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION devices_count();
CREATE TRIGGER devices_count_update AFTER UPDATE OF is_online, product_id ON devices
    FOR EACH ROW WHEN (OLD.is_online IS DISTINCT FROM NEW.is_online OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION devices_count();

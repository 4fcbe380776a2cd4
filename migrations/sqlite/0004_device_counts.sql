-- How many devices each product has, online and offline, kept by triggers whoever writes the
-- devices (this server, an import, the device connectivity side setting `is_online`). A corp's
-- device table opens on "all devices of the product" or "its online (offline) ones"; counting
-- those rows is O(devices) — 20–35 ms for a 400,000-device product — so the list reads these
-- counters instead (BENCHMARKS.md). Every other filter counts its own index range.
CREATE TABLE device_counts (
    product_id  TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    is_online   BOOLEAN NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, is_online)
);
INSERT INTO device_counts (product_id, is_online, n)
    SELECT product_id, is_online, COUNT(*) FROM devices GROUP BY product_id, is_online;

CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN
    INSERT INTO device_counts (product_id, is_online, n) VALUES (NEW.product_id, NEW.is_online, 1)
        ON CONFLICT (product_id, is_online) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN
    UPDATE device_counts SET n = n - 1 WHERE product_id = OLD.product_id AND is_online = OLD.is_online;
END;

CREATE TRIGGER devices_count_update AFTER UPDATE OF is_online, product_id ON devices
    WHEN OLD.is_online IS NOT NEW.is_online OR OLD.product_id IS NOT NEW.product_id
BEGIN
    UPDATE device_counts SET n = n - 1 WHERE product_id = OLD.product_id AND is_online = OLD.is_online;
    INSERT INTO device_counts (product_id, is_online, n) VALUES (NEW.product_id, NEW.is_online, 1)
        ON CONFLICT (product_id, is_online) DO UPDATE SET n = n + 1;
END;

-- Devices at scale (issue 5). Every device list is per product, so every index starts with
-- `product_id`; the shapes they serve are measured in BENCHMARKS.md.

-- A corp's device count, kept in the same transaction as every insert and delete of a device.
-- The quota check (`device_total + n <= device_limit` in one UPDATE) is then one row and
-- race-free across app servers, and `GET /v2/corp` does not count a million rows.
ALTER TABLE corps ADD COLUMN device_total BIGINT NOT NULL DEFAULT 0;
UPDATE corps SET device_total = (SELECT COUNT(*) FROM devices WHERE devices.corp_id = corps.id);

-- The default order (id) within a product.
CREATE INDEX devices_product_id ON devices (product_id, id);
-- "online devices, newest first" and the create_time range filters and sorts.
CREATE INDEX devices_product_online_created ON devices (product_id, is_online, create_time);
CREATE INDEX devices_product_created ON devices (product_id, create_time);
-- A dealer's devices: `dealer_scope` is a code chain, so "this dealer and below" is a range.
CREATE INDEX devices_product_scope ON devices (product_id, dealer_scope);
-- A heavy buyer's devices, and an organization's inside it.
CREATE INDEX devices_product_heavy_buyer ON devices (product_id, heavy_buyer_id, organization_id);
-- Deleting a dealer or a heavy buyer moves or releases its devices across products.
CREATE INDEX devices_dealer ON devices (dealer_id);
CREATE INDEX devices_heavy_buyer ON devices (heavy_buyer_id);

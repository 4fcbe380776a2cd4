-- The original console's profile fields (issue 14); a heavy buyer without an account of its own.
--
-- The console creates a heavy buyer with no email, phone or password (its people sign in as
-- organization users). Email and phone stay NOT NULL and unique (SQLite cannot drop either in
-- place, and a table rebuild would cascade into the organizations): an account-less heavy buyer
-- holds unique placeholders there and an empty password hash, which no sign-in accepts, and
-- `has_account` false; lists read its email and phone as empty.
ALTER TABLE heavy_buyers ADD COLUMN has_account BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE heavy_buyers ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE heavy_buyers ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE heavy_buyers ADD COLUMN city TEXT NOT NULL DEFAULT '';

ALTER TABLE dealers ADD COLUMN contacter TEXT NOT NULL DEFAULT '';
ALTER TABLE dealers ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE dealers ADD COLUMN sale_goal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dealers ADD COLUMN home_page TEXT NOT NULL DEFAULT '';
ALTER TABLE dealers ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE dealers ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE dealers ADD COLUMN city TEXT NOT NULL DEFAULT '';

ALTER TABLE devices ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- When the device was last granted to its heavy buyer (the key-account summary's "this month").
ALTER TABLE devices ADD COLUMN heavy_buyer_granted_time BIGINT;

-- A dealer's or a heavy buyer's sign-in entry (the original console's entry_config): its logo,
-- its text, and which products and portal modules it shows. `config` is the JSON the console
-- posts; a partner without a row has the default (everything shown).
CREATE TABLE entry_configs (
    partner_kind  TEXT NOT NULL,                 -- 'dealer' or 'heavy_buyer'
    partner_id    BIGINT NOT NULL,
    corp_id       TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    config        TEXT NOT NULL,
    update_time   BIGINT NOT NULL,
    PRIMARY KEY (partner_kind, partner_id)
);

-- A dealer's sales ledger (seed 002's client info): one device sold to one end customer.
-- `dealer_scope` is the seller's scope when recorded, so "this dealer and those below" is a range;
-- it stays when the dealer is deleted (`dealer_id` then clears), so no sale is lost.
CREATE TABLE dealer_sales (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id       TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    dealer_id     BIGINT REFERENCES dealers(id) ON DELETE SET NULL,
    dealer_scope  TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    client_type   TEXT NOT NULL DEFAULT 'common_buyer',
    country       TEXT NOT NULL DEFAULT '',
    province      TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    x_info        TEXT NOT NULL DEFAULT '[]',  -- JSON: the console's extra customer details
    pictures      TEXT NOT NULL DEFAULT '[]',  -- JSON: picture URLs
    product_id    TEXT NOT NULL DEFAULT '',
    product_mod   TEXT NOT NULL DEFAULT '',
    device_id     BIGINT,
    mac           TEXT NOT NULL DEFAULT '',
    sn            TEXT NOT NULL DEFAULT '',
    sale_time     BIGINT NOT NULL,
    create_time   BIGINT NOT NULL
);
CREATE INDEX dealer_sales_scope ON dealer_sales (corp_id, dealer_scope, sale_time);
CREATE INDEX dealer_sales_dealer ON dealer_sales (dealer_id, sale_time);

-- What lists read: the stored columns and the computed ones the console lists, filters and
-- sorts by (a dealer's sales so far, a heavy buyer's devices). An account-less heavy buyer's
-- email and phone read as empty text (see the top). A later column added to these tables must be added here.
CREATE VIEW dealers_listed AS
    SELECT d.id, d.corp_id, d.name, d.email, d.phone, d.address, d.status, d.dealer_code, d.upper_dealer_id,
           d.upper_dealer_code, d.scope, d.create_time, d.contacter, d.region, d.sale_goal, d.home_page,
           d.country, d.province, d.city,
           (SELECT COUNT(*) FROM dealer_sales s WHERE s.dealer_id = d.id) AS saled_amount
    FROM dealers d;
CREATE VIEW heavy_buyers_listed AS
    SELECT h.id, h.corp_id, h.name, CASE WHEN h.has_account THEN h.email ELSE '' END AS email,
           CASE WHEN h.has_account THEN h.phone ELSE '' END AS phone, h.industry,
           h.location, h.contacter, h.contact_way, h.status, h.create_time, h.country, h.province, h.city,
           (SELECT COUNT(*) FROM devices v WHERE v.heavy_buyer_id = h.id) AS device_sum
    FROM heavy_buyers h;

-- The operations platform, part 2 (issue 17): merchandise (商品, seed 003 AC). Keep this file
-- and migrations/postgres/0011_merchandise.sql in step.

-- The last merchandise serial given out (ids are the vendor code + 16 hex digits of it).
ALTER TABLE corps ADD COLUMN merchandise_serial BIGINT NOT NULL DEFAULT 0;

-- What a vendor sells or rents. Money in fen. state: 0 off the shelf, 1 on sale, 2 archived;
-- type: 1 purchase, 2 reservation; billing: bits 1 sale, 2 timed, 4 metered, 8 vending.
-- resource, rent, commis and specification are the document's objects as JSON text.
CREATE TABLE merchandise (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    prod_id        TEXT NOT NULL UNIQUE,
    corp_id        TEXT NOT NULL REFERENCES corps(id),
    state          INTEGER NOT NULL DEFAULT 0,
    type           INTEGER NOT NULL DEFAULT 1,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    tags           TEXT NOT NULL DEFAULT '',
    sort_order     BIGINT NOT NULL DEFAULT 0,
    bonus          BOOLEAN NOT NULL DEFAULT FALSE,
    price          BIGINT NOT NULL,
    orig_price     BIGINT NOT NULL DEFAULT 0,
    freight        BIGINT NOT NULL DEFAULT 0,
    install        BOOLEAN NOT NULL DEFAULT FALSE,
    maintain       BOOLEAN NOT NULL DEFAULT FALSE,
    install_cost   BIGINT NOT NULL DEFAULT 0,
    maintain_cost  BIGINT NOT NULL DEFAULT 0,
    billing        INTEGER NOT NULL DEFAULT 1,
    resource       TEXT NOT NULL DEFAULT '{}',
    notify_url     TEXT NOT NULL DEFAULT '',
    rent           TEXT NOT NULL DEFAULT '{}',
    commis         TEXT NOT NULL DEFAULT '{}',
    specification  TEXT NOT NULL DEFAULT '{}',
    create_time    BIGINT NOT NULL,
    update_time    BIGINT NOT NULL
);
CREATE INDEX merchandise_corp ON merchandise (corp_id, state, sort_order);

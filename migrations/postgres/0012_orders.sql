-- The operations platform, part 2 (issue 17): orders (seed 003 AD, OPS-CONTRACT.md "Orders and
-- money"). Keep this file and migrations/sqlite/0012_orders.sql in step.

-- The last order serial of each vendor (order ids are YYYYMMDD + vendor code + 12 digits).
ALTER TABLE corps ADD COLUMN order_serial BIGINT NOT NULL DEFAULT 0;

-- An order of an end user. state: 0 obligation, 1 paid, 2 delivered, 3 received, 4 return,
-- 5 consent, 6 refund, 7 close, 8 done; each change is one compare-and-set on it. Amounts (fen)
-- are copied from the merchandise when the order is made, so catalogue edits never change an
-- order: goods (price × quantity), freight, install fees, deposit and rent, and their total.
-- `dealer_scope` is the user's when it ordered (a dealer sees the orders of its scope).
-- `receiver` and `delivery` are the document's objects as JSON text. `hidden_time`: deleted by
-- the platform (AD-15), kept for the accounts.
CREATE TABLE orders (
    id              BIGSERIAL PRIMARY KEY,
    order_id        TEXT NOT NULL UNIQUE,
    corp_id         TEXT NOT NULL REFERENCES corps(id),
    user_id         BIGINT NOT NULL REFERENCES end_users(id),
    uid             TEXT NOT NULL,
    dealer_scope    TEXT,
    state           BIGINT NOT NULL DEFAULT 0,
    goods           BIGINT NOT NULL,
    freight         BIGINT NOT NULL,
    install_fee     BIGINT NOT NULL,
    deposit         BIGINT NOT NULL,
    rent            BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    receiver        TEXT NOT NULL DEFAULT '{}',
    memo            TEXT NOT NULL DEFAULT '',
    delivery        TEXT NOT NULL DEFAULT '{}',
    delivery_time   BIGINT,
    pay_ch          TEXT NOT NULL DEFAULT '',
    pay_time        BIGINT,
    bill_no         TEXT NOT NULL DEFAULT '',
    transaction_no  TEXT NOT NULL DEFAULT '',
    return_time     BIGINT,
    return_reason   TEXT NOT NULL DEFAULT '',
    consent_time    BIGINT,
    refund_time     BIGINT,
    close_time      BIGINT,
    receive_time    BIGINT,
    complete_time   BIGINT,
    hidden_time     BIGINT,
    create_time     BIGINT NOT NULL,
    update_time     BIGINT NOT NULL
);
CREATE INDEX orders_corp ON orders (corp_id, state, create_time);
CREATE INDEX orders_user ON orders (user_id, create_time);
CREATE INDEX orders_scope ON orders (corp_id, dealer_scope);

-- The merchandise of an order, each line with the prices it was bought at. A merchandise that
-- a line names cannot be deleted (AC-07): it is archived instead.
CREATE TABLE order_lines (
    id            BIGSERIAL PRIMARY KEY,
    order_id      TEXT NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
    line          BIGINT NOT NULL,
    prod_id       TEXT NOT NULL REFERENCES merchandise(prod_id),
    name          TEXT NOT NULL,
    quantity      BIGINT NOT NULL,
    price         BIGINT NOT NULL,
    freight       BIGINT NOT NULL,
    install_cost  BIGINT NOT NULL,
    deposit       BIGINT NOT NULL,
    rent_plan     TEXT NOT NULL DEFAULT '',
    rent          BIGINT NOT NULL DEFAULT 0,
    billing       BIGINT NOT NULL,
    commis        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (order_id, line)
);
CREATE INDEX order_lines_prod ON order_lines (prod_id);

-- Every payment and refund of an order as its provider saw it (AD-10), never edited but to
-- finish it. `payment_id` is ours (the provider's out_trade_no); `transaction_id` the provider's,
-- unique per channel and kind, so a notification replayed or sent twice is applied once.
-- kind: pay or refund; status: pending, paid, refunded, failed; `note` says why a refund was made.
CREATE TABLE payments (
    id              BIGSERIAL PRIMARY KEY,
    payment_id      TEXT NOT NULL UNIQUE,
    order_id        TEXT NOT NULL REFERENCES orders(order_id),
    corp_id         TEXT NOT NULL REFERENCES corps(id),
    channel         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    status          TEXT NOT NULL,
    transaction_id  TEXT,
    note            TEXT NOT NULL DEFAULT '',
    create_time     BIGINT NOT NULL,
    finish_time     BIGINT
);
CREATE UNIQUE INDEX payments_transaction ON payments (channel, kind, transaction_id);
CREATE INDEX payments_order ON payments (order_id, id);

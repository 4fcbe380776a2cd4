-- The operations platform, part 3 (issue 18): devices in service (seed 003 AB), engineers,
-- leases (八), filters and work orders (五). Keep this file and
-- migrations/sqlite/0016_service.sql in step.

-- A device in service is the /v2 device (one record): `serial` names it on /api (the DID), given
-- when the platform registers it (AB-02); devices made through /v2 have none until then.
-- device_type: 0 unknown, 1 sale, 2 timed rental, 3 metered rental, 4 vending, 8 test.
-- service_state: 0 not in service, 1 in service, 2 expired (a lease ran out), 3 stopped.
-- `owner_id` is the end user it is bound to (AB-11); `prod_id` the merchandise it carries (its
-- filters). Coordinates are decimal degrees as text (as telemetry keeps them).
ALTER TABLE devices ADD COLUMN serial TEXT;
ALTER TABLE devices ADD COLUMN device_type BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN brand TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN hw_version TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN sw_version TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN manufacture_time BIGINT;
ALTER TABLE devices ADD COLUMN prod_id TEXT;
ALTER TABLE devices ADD COLUMN qc_id TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN qc_time BIGINT;
ALTER TABLE devices ADD COLUMN installer_id BIGINT;
ALTER TABLE devices ADD COLUMN install_time BIGINT;
ALTER TABLE devices ADD COLUMN remark TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN install_area TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN install_address TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN install_lng TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN install_lat TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN service_state BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN service_expire BIGINT;
ALTER TABLE devices ADD COLUMN owner_id BIGINT REFERENCES end_users(id);
ALTER TABLE devices ADD COLUMN bind_time BIGINT;
ALTER TABLE devices ADD COLUMN deregister_time BIGINT;
CREATE UNIQUE INDEX devices_serial ON devices (serial);
CREATE INDEX devices_owner ON devices (owner_id);
CREATE INDEX devices_corp_serial ON devices (corp_id, serial);

-- The users a device's owner shared it with (AB-15): they see and use it, nothing more.
CREATE TABLE device_shares (
    device_id    BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES end_users(id),
    create_time  BIGINT NOT NULL,
    PRIMARY KEY (device_id, user_id)
);
CREATE INDEX device_shares_user ON device_shares (user_id);

-- Service engineers of a vendor (dealer_id NULL) or of one of its dealers. They sign in to the
-- mobile site with their mobile. status: 1 enabled, 0 disabled. `lng`/`lat`: where they work
-- from, for dispatch by location. A removed engineer keeps its row (tickets name it).
CREATE TABLE engineers (
    id             BIGSERIAL PRIMARY KEY,
    corp_id        TEXT NOT NULL REFERENCES corps(id),
    dealer_id      BIGINT REFERENCES dealers(id) ON DELETE SET NULL,
    name           TEXT NOT NULL,
    mobile         TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    lng            TEXT NOT NULL DEFAULT '',
    lat            TEXT NOT NULL DEFAULT '',
    status         BIGINT NOT NULL DEFAULT 1,
    create_time    BIGINT NOT NULL,
    remove_time    BIGINT
);
CREATE UNIQUE INDEX engineers_mobile ON engineers (corp_id, mobile) WHERE remove_time IS NULL;
CREATE INDEX engineers_dealer ON engineers (corp_id, dealer_id);

-- A rented device's lease, started when its install ticket is done. billing: 2 timed (days,
-- `expire_time`), 4 metered (`litres`, counted from the device's water counter at the start).
-- state: 1 active, 2 expired, 3 ended (removed; the deposit went back less what it owed).
-- `day_rent` is what a day of the last plan cost (fen), for what an overstay owes.
-- `removal_ticket` is claimed by one conditional update, so only one removal ticket is made.
CREATE TABLE leases (
    id              BIGSERIAL PRIMARY KEY,
    corp_id         TEXT NOT NULL REFERENCES corps(id),
    device_id       BIGINT NOT NULL REFERENCES devices(id),
    user_id         BIGINT NOT NULL REFERENCES end_users(id),
    order_id        TEXT NOT NULL REFERENCES orders(order_id),
    prod_id         TEXT NOT NULL,
    billing         BIGINT NOT NULL,
    deposit         BIGINT NOT NULL,
    day_rent        BIGINT NOT NULL DEFAULT 0,
    start_time      BIGINT NOT NULL,
    expire_time     BIGINT,
    litres          BIGINT NOT NULL DEFAULT 0,
    water_ml_start  BIGINT NOT NULL DEFAULT 0,
    state           BIGINT NOT NULL DEFAULT 1,
    expired_time    BIGINT,
    removal_ticket  TEXT,
    end_time        BIGINT,
    owed            BIGINT NOT NULL DEFAULT 0,
    refunded        BIGINT NOT NULL DEFAULT 0,
    create_time     BIGINT NOT NULL
);
CREATE UNIQUE INDEX leases_open_device ON leases (device_id) WHERE state <> 3;
CREATE INDEX leases_due ON leases (state, expire_time);
CREATE INDEX leases_user ON leases (user_id);

-- An order line may renew a lease: the serial of the device it renews.
ALTER TABLE order_lines ADD COLUMN renews TEXT;

-- The filters a device carries (from its merchandise's specification), and how much of each
-- is used: from the device's counters (minutes) since it was fitted when the device reports
-- them, from the time elapsed otherwise. `remaining` (percent) is what the filter job last
-- found; `ticket_id` the open maintenance ticket, claimed by one conditional update.
CREATE TABLE device_filters (
    device_id      BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    filter_order   BIGINT NOT NULL,
    name           TEXT NOT NULL,
    timer_mode     BIGINT NOT NULL DEFAULT 0,
    lifetime       BIGINT NOT NULL DEFAULT 0,
    worklife       BIGINT NOT NULL DEFAULT 0,
    fit_time       BIGINT NOT NULL,
    power_on_base  BIGINT NOT NULL DEFAULT 0,
    work_base      BIGINT NOT NULL DEFAULT 0,
    remaining      BIGINT NOT NULL DEFAULT 100,
    ticket_id      TEXT,
    PRIMARY KEY (device_id, filter_order)
);

-- Work orders (工单). type: 1 install, 2 exchange, 3 return, 4 fault, 5 maintenance, 6 removal;
-- status: 1 created, 2 reviewed, 3 dispatched, 4 processing, 5 awaiting response, 6 done,
-- 0 cancelled; each change one compare-and-set on it. `dealer_id` is the dealer responsible
-- (NULL: the vendor itself), `dealer_scope` the scope a dealer sees it by. `respond_due` and
-- `resolve_due` come from the type's targets; `overdue` is set once, with `escalated_to` the
-- upper dealer. An install ticket is one per unit of an order line.
ALTER TABLE corps ADD COLUMN ticket_serial BIGINT NOT NULL DEFAULT 0;
CREATE TABLE tickets (
    id             BIGSERIAL PRIMARY KEY,
    ticket_id      TEXT NOT NULL UNIQUE,
    corp_id        TEXT NOT NULL REFERENCES corps(id),
    type           BIGINT NOT NULL,
    status         BIGINT NOT NULL DEFAULT 1,
    source         TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    user_id        BIGINT REFERENCES end_users(id),
    uid            TEXT NOT NULL DEFAULT '',
    device_id      BIGINT REFERENCES devices(id),
    serial         TEXT NOT NULL DEFAULT '',
    order_id       TEXT,
    order_line     BIGINT,
    unit           BIGINT,
    lease_id       BIGINT,
    filter_order   BIGINT,
    dealer_id      BIGINT,
    dealer_scope   TEXT COLLATE "C",
    engineer_id    BIGINT,
    appoint_time   BIGINT,
    address        TEXT NOT NULL DEFAULT '',
    lng            TEXT NOT NULL DEFAULT '',
    lat            TEXT NOT NULL DEFAULT '',
    check_result   BOOLEAN,
    check_time     BIGINT,
    check_user     TEXT NOT NULL DEFAULT '',
    dispatch_time  BIGINT,
    accept_time    BIGINT,
    finish_time    BIGINT,
    cancel_time    BIGINT,
    note           TEXT NOT NULL DEFAULT '',
    respond_due    BIGINT NOT NULL,
    resolve_due    BIGINT NOT NULL,
    overdue        BOOLEAN NOT NULL DEFAULT FALSE,
    escalated_to   BIGINT,
    rate_value     BIGINT,
    rate_time      BIGINT,
    rate_detail    TEXT NOT NULL DEFAULT '',
    create_time    BIGINT NOT NULL,
    update_time    BIGINT NOT NULL
);
CREATE INDEX tickets_corp ON tickets (corp_id, status, create_time);
CREATE INDEX tickets_scope ON tickets (corp_id, dealer_scope);
CREATE INDEX tickets_engineer ON tickets (engineer_id, status);
CREATE INDEX tickets_user ON tickets (user_id, create_time);
CREATE INDEX tickets_device ON tickets (device_id, create_time);
CREATE INDEX tickets_open_due ON tickets (overdue, status, respond_due);
CREATE UNIQUE INDEX tickets_one_install ON tickets (order_id, order_line, unit) WHERE type = 1;
CREATE UNIQUE INDEX tickets_one_maintenance ON tickets (device_id, filter_order)
    WHERE type = 5 AND status <> 0 AND status <> 6;
-- A device that reports a fault (its self-check) has one fault ticket open at most.
CREATE UNIQUE INDEX tickets_one_device_fault ON tickets (device_id)
    WHERE type = 4 AND source = 'device' AND status <> 0 AND status <> 6;

-- A ticket's timeline: every change, who made it, and its note.
CREATE TABLE ticket_events (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets(ticket_id) ON DELETE CASCADE,
    time       BIGINT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    status     BIGINT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- The operations platform, part 1 (seed 003, OPS-CONTRACT.md): the platform operator, vendors
-- (the corps, widened: one record whichever API or portal reads it), end users and their
-- verification codes. Keep this file and migrations/sqlite/0008_operations.sql in step.

-- The platform operator's administrators (A*), above every vendor.
CREATE TABLE platform_admins (
    id             BIGSERIAL PRIMARY KEY,
    account        TEXT NOT NULL UNIQUE,            -- lower-case
    password_hash  TEXT NOT NULL,
    status         BIGINT NOT NULL DEFAULT 1,      -- 1 enabled, 0 disabled
    create_time    BIGINT NOT NULL
);

-- A vendor's profile (AX-01). `company` stays the name; `state` is the vendor's (0 disabled,
-- 1 inactive, 2 active), apart from `status`, the certification of CONTRACT.md. The code is four
-- letters or digits, given once and never reused (deregistered vendors keep their row).
-- `mp_secret` and `mch_secret` are sealed (server::secret::Sealer), '' when not set.
ALTER TABLE corps ADD COLUMN vendor_code TEXT;
ALTER TABLE corps ADD COLUMN username TEXT;
ALTER TABLE corps ADD COLUMN abbv TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN domain TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN wechat TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN remark TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mp_gid TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mp_appid TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mch_gid TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mch_appid TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mch_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN state BIGINT NOT NULL DEFAULT 2;
-- AX-08: which /api areas the vendor runs.
ALTER TABLE corps ADD COLUMN opt_users BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE corps ADD COLUMN opt_mall BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE corps ADD COLUMN opt_orders BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE corps ADD COLUMN opt_tickets BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE corps ADD COLUMN opt_commission BOOLEAN NOT NULL DEFAULT TRUE;
-- The member the vendor's password and mobile belong to (its first admin).
ALTER TABLE corps ADD COLUMN admin_member_id BIGINT;
ALTER TABLE corps ADD COLUMN deregister_time BIGINT;
-- The last end-user serial given out (user ids are the code + 16 hex digits of it).
ALTER TABLE corps ADD COLUMN user_serial BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX corps_vendor_code ON corps (vendor_code);
CREATE UNIQUE INDEX corps_username ON corps (username);

-- End users (members, 会员) of one vendor (AA-01). A deregistered user keeps its row (orders and
-- accounting name it) and frees its mobile for a new registration. `rid` is the referrer's uid;
-- `dealer_scope` the scope of the dealer whose promotion link brought the user, if any.
CREATE TABLE end_users (
    id               BIGSERIAL PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    corp_id          TEXT NOT NULL REFERENCES corps(id),
    mobile           TEXT NOT NULL,
    password_hash    TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    avatar           TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    area             TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    remark           TEXT NOT NULL DEFAULT '',
    type             BIGINT NOT NULL DEFAULT 0,
    vip              BOOLEAN NOT NULL DEFAULT FALSE,
    bonus            BIGINT NOT NULL DEFAULT 0,
    state            BIGINT NOT NULL DEFAULT 2,    -- 0 disabled, 1 inactive, 2 active
    rid              TEXT,
    dealer_id        BIGINT REFERENCES dealers(id) ON DELETE SET NULL,
    dealer_scope     TEXT,
    create_time      BIGINT NOT NULL,
    deregister_time  BIGINT
);
CREATE UNIQUE INDEX end_users_mobile ON end_users (corp_id, mobile) WHERE deregister_time IS NULL;
CREATE INDEX end_users_corp ON end_users (corp_id, id);
CREATE INDEX end_users_scope ON end_users (corp_id, dealer_scope);
CREATE INDEX end_users_rid ON end_users (rid);

-- SMS verification codes (OPS-CONTRACT.md "Verification codes"): six digits, stored hashed,
-- single use, a few wrong tries. `purpose` is register, sign_in, reset, or mobile:<uid>.
CREATE TABLE verification_codes (
    id           BIGSERIAL PRIMARY KEY,
    corp_id      TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    mobile       TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    create_time  BIGINT NOT NULL,
    expire_time  BIGINT NOT NULL,
    tries        BIGINT NOT NULL DEFAULT 0,
    used_time    BIGINT
);
CREATE INDEX verification_codes_lookup ON verification_codes (corp_id, mobile, purpose, id);

-- The send limits per mobile (one per minute, a few a day), claimed by one conditional update
-- so that two app servers cannot both send inside the minute.
CREATE TABLE sms_sends (
    mobile     TEXT PRIMARY KEY,
    last_time  BIGINT NOT NULL,
    day_start  BIGINT NOT NULL,
    day_count  BIGINT NOT NULL
);

-- Vendors as lists read them: the secrets only as whether each is set.
CREATE VIEW vendors_listed AS
SELECT id, vendor_code, state, type, username, company, abbv, logo, domain, contact, mobile, wechat,
       email, area, address, remark, create_time, mp_gid, mp_appid, (mp_secret <> '') AS mp_secret_set,
       mch_gid, mch_appid, (mch_secret <> '') AS mch_secret_set, opt_users, opt_mall, opt_orders,
       opt_tickets, opt_commission, deregister_time
FROM corps;

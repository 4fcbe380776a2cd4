-- The whole product's schema. Times are epoch milliseconds (BIGINT) so that ordering and range
-- filters behave identically on SQLite and PostgreSQL; the API renders them as ISO 8601.
-- Keep this file and migrations/postgres/0001_schema.sql in step: same tables, same columns.

-- A brand owner. Its id is an opaque 32-character string (CONTRACT: "Corp id: string").
CREATE TABLE corps (
    id            TEXT PRIMARY KEY,
    company       TEXT NOT NULL,
    type          INTEGER NOT NULL DEFAULT 0,
    logo          TEXT NOT NULL DEFAULT '',
    status        INTEGER NOT NULL DEFAULT 0,      -- 0 uncertified, 1 certified, 2 VIP
    device_limit  BIGINT NOT NULL DEFAULT 1000000,
    create_time   BIGINT NOT NULL
);

-- Custom roles (role type 99) and the feature ids each grants.
CREATE TABLE member_roles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id      TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    create_time  BIGINT NOT NULL
);
CREATE INDEX member_roles_corp ON member_roles (corp_id, id);

CREATE TABLE member_role_features (
    role_id  BIGINT NOT NULL REFERENCES member_roles(id) ON DELETE CASCADE,
    feature  INTEGER NOT NULL,
    PRIMARY KEY (role_id, feature)
);

-- People who work for a corp. Members log in with phone or email alone (no corp id), so both are
-- unique across the platform.
CREATE TABLE members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id         TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL UNIQUE,
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            INTEGER NOT NULL,              -- 1 admin, 2 operations, 3 developer, 99 custom
    role_id         BIGINT REFERENCES member_roles(id),
    status          INTEGER NOT NULL DEFAULT 1,    -- 0 pending, 1 active, 2 disabled
    is_notice       BOOLEAN NOT NULL DEFAULT FALSE,
    is_alert        BOOLEAN NOT NULL DEFAULT FALSE,
    create_time     BIGINT NOT NULL,
    last_auth_time  BIGINT
);
CREATE INDEX members_corp ON members (corp_id, id);

-- Dealers form a tree inside a corp. `scope` is the comma-separated chain of dealer codes from
-- the top dealer down to this one; a dealer sees every dealer whose scope starts with its own.
CREATE TABLE dealers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id         TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL DEFAULT 1,    -- 0 disabled, 1 enabled
    dealer_code     TEXT NOT NULL,
    upper_dealer_id BIGINT REFERENCES dealers(id),
    scope           TEXT NOT NULL,
    create_time     BIGINT NOT NULL,
    UNIQUE (corp_id, dealer_code),
    UNIQUE (corp_id, email),
    UNIQUE (corp_id, phone)
);
CREATE INDEX dealers_scope ON dealers (corp_id, scope);
CREATE INDEX dealers_upper ON dealers (upper_dealer_id);

CREATE TABLE heavy_buyers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id         TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    industry        TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    contacter       TEXT NOT NULL DEFAULT '',
    contact_way     TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL DEFAULT 1,    -- 0 disabled, 1 enabled
    create_time     BIGINT NOT NULL,
    UNIQUE (corp_id, email),
    UNIQUE (corp_id, phone)
);

-- A heavy buyer's organization tree. The root organization (id 0) is implicit: every heavy buyer
-- has it, so it is never stored; `parent = 0` hangs an organization under the root.
CREATE TABLE organizations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    heavy_buyer_id  BIGINT NOT NULL REFERENCES heavy_buyers(id) ON DELETE CASCADE,
    parent          BIGINT NOT NULL DEFAULT 0,
    name            TEXT NOT NULL,
    sort            BIGINT NOT NULL DEFAULT 0,
    create_time     BIGINT NOT NULL
);
CREATE INDEX organizations_tree ON organizations (heavy_buyer_id, parent, sort);

CREATE TABLE org_users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    heavy_buyer_id  BIGINT NOT NULL REFERENCES heavy_buyers(id) ON DELETE CASCADE,
    username        TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    organization    BIGINT NOT NULL DEFAULT 0,
    role            INTEGER NOT NULL,              -- 1 admin, 2 member
    contacter       TEXT NOT NULL DEFAULT '',
    contact_way     TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL DEFAULT 1,
    create_time     BIGINT NOT NULL,
    UNIQUE (heavy_buyer_id, username)
);

-- Products; the id is a 32-character string, `key` a 16-character secret-ish product key.
CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    corp_id      TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    link_type    INTEGER NOT NULL,
    mode         TEXT NOT NULL DEFAULT '',
    type         INTEGER NOT NULL DEFAULT 0,
    key          TEXT NOT NULL,
    is_release   BOOLEAN NOT NULL DEFAULT FALSE,
    create_time  BIGINT NOT NULL
);
CREATE INDEX products_corp ON products (corp_id, id);

-- Devices. Ids are 32-bit positive integers (CONTRACT). Assignment columns: the dealer chain
-- (`dealer_id` and its `dealer_scope`), the heavy buyer and the organization inside it.
CREATE TABLE devices (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id           TEXT NOT NULL REFERENCES corps(id) ON DELETE CASCADE,
    product_id        TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    mac               TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    sn                TEXT NOT NULL DEFAULT '',
    domain            TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '',   -- comma-separated
    is_active         BOOLEAN NOT NULL DEFAULT FALSE,
    active_date       BIGINT,
    is_online         BOOLEAN NOT NULL DEFAULT FALSE,
    last_login        BIGINT,
    last_login_ip     TEXT NOT NULL DEFAULT '',
    mcu_mod           TEXT NOT NULL DEFAULT '',
    mcu_version       BIGINT NOT NULL DEFAULT 0,
    firmware_mod      TEXT NOT NULL DEFAULT '',
    firmware_version  BIGINT NOT NULL DEFAULT 0,
    region_id         BIGINT NOT NULL DEFAULT 0,
    create_time       BIGINT NOT NULL,
    creator_id        BIGINT NOT NULL DEFAULT 0,
    creator_type      INTEGER NOT NULL DEFAULT 0,
    dealer_id         BIGINT REFERENCES dealers(id),
    dealer_scope      TEXT,
    heavy_buyer_id    BIGINT REFERENCES heavy_buyers(id),
    organization_id   BIGINT,
    UNIQUE (product_id, mac)
);

-- One login: a family of tokens (API) or one browser session. Revoking it ends every token that
-- descends from the login. principal_kind: 1 corp member, 2 dealer, 3 heavy buyer, 4 org user.
CREATE TABLE auth_logins (
    id              TEXT PRIMARY KEY,
    principal_kind  INTEGER NOT NULL,
    principal_id    BIGINT NOT NULL,
    channel         TEXT NOT NULL,                -- 'api' or 'web'
    create_time     BIGINT NOT NULL,
    revoked_time    BIGINT
);
CREATE INDEX auth_logins_principal ON auth_logins (principal_kind, principal_id);

-- Access/refresh pairs, stored only as SHA-256 hashes. state: 0 live, 1 refreshed, 2 revoked.
CREATE TABLE auth_tokens (
    access_hash   TEXT PRIMARY KEY,
    refresh_hash  TEXT NOT NULL UNIQUE,
    login_id      TEXT NOT NULL REFERENCES auth_logins(id) ON DELETE CASCADE,
    state         INTEGER NOT NULL DEFAULT 0,
    create_time   BIGINT NOT NULL,
    expire_time   BIGINT NOT NULL,
    refresh_time  BIGINT                          -- when the pair was rotated
);
CREATE INDEX auth_tokens_login ON auth_tokens (login_id);

-- Consecutive wrong passwords per account (kind + lower-cased account), for the lock.
CREATE TABLE login_failures (
    account_key   TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    update_time   BIGINT NOT NULL
);

-- Wrong passwords per client address in a fixed window, for the throttle.
CREATE TABLE client_failures (
    client        TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    failures      INTEGER NOT NULL
);

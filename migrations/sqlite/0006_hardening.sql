-- Issue 20: the account-wide failure count, unique role names, and the audit log.
-- Keep this file and migrations/postgres/0006_hardening.sql in step.

-- Wrong passwords per account from every address in a window, for the growing per-account delay
-- (login_failures now holds the lock per account and client address).
CREATE TABLE account_failures (
    account_key   TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    failures      INTEGER NOT NULL
);
-- The old lock rows were keyed per string typed; they start afresh under the new keys.
DELETE FROM login_failures;

-- Two roles of one corp never share a name: rename existing duplicates (all but the oldest)
-- before the index makes parallel creations with one name fail cleanly.
UPDATE member_roles SET name = name || ' (' || CAST(id AS TEXT) || ')'
WHERE id NOT IN (SELECT MIN(id) FROM member_roles GROUP BY corp_id, name);
CREATE UNIQUE INDEX member_roles_corp_name ON member_roles (corp_id, name);

-- Every sign-in and every change made through the service layer, written in the transaction
-- of the change. corp_id is NULL only for failed sign-ins to accounts that do not exist.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id         TEXT,
    heavy_buyer_id  BIGINT,
    actor_kind      TEXT NOT NULL,     -- member, dealer, heavy_buyer, org_user, anonymous
    actor_id        BIGINT,
    actor           TEXT NOT NULL,     -- the actor's name or account as typed
    action          TEXT NOT NULL,     -- e.g. member.update, sign_in.failure
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    changes         TEXT NOT NULL,     -- JSON: {field: {"from": …, "to": …}}, never a secret
    client          TEXT NOT NULL,     -- the caller's address
    create_time     BIGINT NOT NULL
);
CREATE INDEX audit_log_corp ON audit_log (corp_id, create_time);
CREATE INDEX audit_log_heavy_buyer ON audit_log (heavy_buyer_id, create_time);
CREATE INDEX audit_log_time ON audit_log (create_time);

-- The retention task finds old logins and tokens by time.
CREATE INDEX auth_logins_create_time ON auth_logins (create_time);
CREATE INDEX auth_tokens_expire_time ON auth_tokens (expire_time);

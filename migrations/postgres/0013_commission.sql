-- The operations platform, part 2 (issue 17): commission (seed 003 七) in one ledger. Keep this
-- file and its twin of the other backend in step.

-- Every amount of commission, as entries never edited: a balance is the sum of an account's
-- entries in a bucket. `account` is `u:{uid}` (an end user) or `d:{dealer id}` (a dealer).
-- bucket: pending (earned on a paid order, not yet done), available, withdrawing (asked for, not
-- yet paid out), withdrawn. kind: earn (+pending, when the order is paid), activate (pending →
-- available, when it is done), reverse (−, when it is refunded: from pending, or from available,
-- which may then go below zero: a debt), withdraw (available → withdrawing), payout
-- (withdrawing → withdrawn), reject (withdrawing → available).
CREATE TABLE commission_entries (
    id             BIGSERIAL PRIMARY KEY,
    corp_id        TEXT NOT NULL REFERENCES corps(id),
    account        TEXT NOT NULL,
    bucket         TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    order_id       TEXT,
    level          BIGINT,
    withdrawal_id  TEXT,
    create_time    BIGINT NOT NULL
);
CREATE INDEX commission_entries_account ON commission_entries (account, bucket);
CREATE INDEX commission_entries_order ON commission_entries (order_id, kind);
CREATE INDEX commission_entries_corp ON commission_entries (corp_id, id);

-- Withdrawals (AE-03): asked by an account, paid out to its bank card or rejected by the vendor.
-- status: requested, paid, rejected. The idempotency key makes a retried request one withdrawal.
CREATE TABLE withdrawals (
    id               BIGSERIAL PRIMARY KEY,
    withdrawal_id    TEXT NOT NULL UNIQUE,
    corp_id          TEXT NOT NULL REFERENCES corps(id),
    account          TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    bank_card        TEXT NOT NULL,
    status           TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    create_time      BIGINT NOT NULL,
    decide_time      BIGINT,
    decided_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (account, idempotency_key)
);
CREATE INDEX withdrawals_corp ON withdrawals (corp_id, status, id);

-- When each account last withdrew: claimed by one conditional write, so two requests less than
-- 30 seconds apart (on any app servers) cannot both go through.
CREATE TABLE commission_accounts (
    account             TEXT PRIMARY KEY,
    last_withdraw_time  BIGINT NOT NULL
);

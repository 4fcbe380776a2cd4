-- Organization users log in with their username in any case, so no two users of one heavy
-- buyer may differ only in case.
CREATE UNIQUE INDEX org_users_username_ci ON org_users (heavy_buyer_id, lower(username));
-- Users are found by organization when a subtree is listed or deleted.
CREATE INDEX org_users_organization ON org_users (heavy_buyer_id, organization);

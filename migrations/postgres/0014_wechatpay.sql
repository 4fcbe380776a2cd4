-- WeChat Pay API v3 beside the sandbox (issue 17, payments). Keep this file and its twin of the
-- other backend in step.

-- What a vendor's merchant needs for API v3, beside AX-07's mch_gid (mchid), mch_appid (appid)
-- and mch_secret (the APIv3 key, sealed): the serial number of the merchant's API certificate,
-- the merchant's RSA private key (PEM, sealed like the other secrets, never read back), and
-- WeChat Pay's public key (PEM, public) with its id (`PUB_KEY_ID_…`, the `Wechatpay-Serial` of
-- what WeChat Pay signs). All empty: the vendor pays through the sandbox.
ALTER TABLE corps ADD COLUMN mch_serial TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN mch_key TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN wxpay_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE corps ADD COLUMN wxpay_key TEXT NOT NULL DEFAULT '';
-- A notification names its vendor only by the key it is signed with.
CREATE INDEX corps_wxpay_key_id ON corps (wxpay_key_id) WHERE wxpay_key_id <> '';

-- A refund through a real provider is recorded as `pending` in the transaction that decides it
-- and sent after that commits (and again by the refund job until the provider answers):
-- `refund_of` is the payment it returns (the provider refunds against that payment), `tries`
-- how often it was sent. Then `processing` (the provider accepted it), `refunded` or `failed`.
ALTER TABLE payments ADD COLUMN refund_of TEXT;
ALTER TABLE payments ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
CREATE INDEX payments_unsent_refunds ON payments (create_time) WHERE kind = 'refund' AND status = 'pending';

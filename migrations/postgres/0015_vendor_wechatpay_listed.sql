-- Vendors as lists read them, now with WeChat Pay API v3's settings (issue 17): the merchant's
-- certificate serial and WeChat Pay's public key id as they are; the merchant's private key and
-- WeChat Pay's public key only as whether each is set. Keep this file and its twin in step.
DROP VIEW vendors_listed;
CREATE VIEW vendors_listed AS
SELECT id, vendor_code, state, type, username, company, abbv, logo, domain, contact, mobile, wechat,
       email, area, address, remark, create_time, mp_gid, mp_appid, (mp_secret <> '') AS mp_secret_set,
       mch_gid, mch_appid, (mch_secret <> '') AS mch_secret_set, mch_serial, (mch_key <> '') AS mch_key_set,
       wxpay_key_id, (wxpay_key <> '') AS wxpay_key_set, opt_users, opt_mall, opt_orders,
       opt_tickets, opt_commission, deregister_time
FROM corps;

//! Vendors (运营商, seed 003 AX-01..08, AX-13): the corps of `/v2`, as the platform operator
//! sees and edits them. One record: a vendor's members sign in to the corp portal.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// A vendor's state (AX): disabled vendors' people cannot sign in; an inactive vendor's
    /// members can (to set it up) but its end users cannot yet.
    pub enum VendorState { Disabled = 0, Inactive = 1, Active = 2 }
}

crate::resource! {
    /// A vendor as AX-01 lists it. Its secrets are never read back: `mp_secret_set`,
    /// `mch_secret_set` and `mch_key_set` say whether each is set (`wxpay_key_set`: WeChat Pay's
    /// public key; the four `mch_serial` … `wxpay_key_set` are API v3's merchant). `cfg_*` are AX-08's options; `dereg_tms` is set
    /// once the vendor is deregistered (its record then answers 410).
    pub struct Vendor: "vendor" in "vendors_listed" {
        vid: Text as "id",
        code: Text as "vendor_code",
        state: VendorState,
        r#type: Int,
        user: Option<Text> as "username",
        name: Text as "company",
        abbv: Text,
        logo: Text,
        domain: Text,
        contact: Text,
        mobile: Text,
        wechat: Text,
        email: Text,
        area: Text,
        address: Text,
        remark: Text,
        reg_tms: Time as "create_time",
        mp_gid: Text,
        mp_appid: Text,
        mp_secret_set: Bool,
        mch_gid: Text,
        mch_appid: Text,
        mch_secret_set: Bool,
        mch_serial: Text,
        mch_key_set: Bool,
        wxpay_key_id: Text,
        wxpay_key_set: Bool,
        cfg_users: Bool as "opt_users",
        cfg_mall: Bool as "opt_mall",
        cfg_orders: Bool as "opt_orders",
        cfg_tickets: Bool as "opt_tickets",
        cfg_commission: Bool as "opt_commission",
        dereg_tms: Option<Time> as "deregister_time",
    }
}

/// What the end users' mobile site shows of its vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storefront {
    pub vid: String,
    pub name: String,
    pub abbv: String,
    pub logo: String,
    /// Active and running its users area: sign-up and sign-in are open.
    pub open: bool,
}

/// AX-02: a new vendor. `user` and `pwd` become its first admin member's account (with
/// `mobile`, `email` and `contact`); the secrets are sealed before they are stored.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewVendor {
    pub user: String,
    pub pwd: String,
    pub name: String,
    pub abbv: String,
    pub logo: String,
    pub domain: String,
    pub contact: String,
    pub mobile: String,
    pub wechat: String,
    pub email: String,
    pub area: String,
    pub address: String,
    pub remark: String,
    pub mp_gid: String,
    pub mp_appid: String,
    pub mp_secret: String,
    pub mch_gid: String,
    pub mch_appid: String,
    pub mch_secret: String,
    /// 2 (active) when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
}

impl std::fmt::Debug for NewVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewVendor").field("user", &self.user).field("name", &self.name).finish_non_exhaustive()
    }
}

/// AX-04: a vendor's profile; absent fields stay as they are. `state` enables or disables it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VendorEdit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abbv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
}

/// AX-07: the official-account and merchant settings. An absent secret stays as it is; an
/// empty one clears it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VendorAccounts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mp_gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mp_appid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mp_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mch_gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mch_appid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mch_secret: Option<String>,
}

impl std::fmt::Debug for VendorAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorAccounts")
            .field("mp_gid", &self.mp_gid)
            .field("mp_appid", &self.mp_appid)
            .field("mch_gid", &self.mch_gid)
            .field("mch_appid", &self.mch_appid)
            .finish_non_exhaustive()
    }
}

/// AX-07's settings for WeChat Pay API v3, beside [`VendorAccounts`] (`mch_gid` is the mchid,
/// `mch_appid` the appid, `mch_secret` the APIv3key): the merchant's API certificate serial,
/// its private key (PEM; sealed, never read back) and WeChat Pay's public key (PEM) with its id.
/// An absent field stays as it is; an empty one clears it. With all of them set (and the APIv3
/// key 32 characters) the vendor's `weixin` payments go to WeChat Pay instead of the sandbox.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WechatPayAccounts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mch_serial: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mch_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wxpay_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wxpay_key: Option<String>,
}

impl std::fmt::Debug for WechatPayAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatPayAccounts")
            .field("mch_serial", &self.mch_serial)
            .field("wxpay_key_id", &self.wxpay_key_id)
            .finish_non_exhaustive()
    }
}

/// AX-08: which `/api` areas the vendor runs; absent switches stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VendorOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mall: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickets: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission: Option<bool>,
}

/// An `/api` area a vendor may switch off (AX-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Users,
    Mall,
    Orders,
    Tickets,
    Commission,
}

impl Area {
    /// The column that holds the switch.
    pub fn column(self) -> &'static str {
        match self {
            Area::Users => "opt_users",
            Area::Mall => "opt_mall",
            Area::Orders => "opt_orders",
            Area::Tickets => "opt_tickets",
            Area::Commission => "opt_commission",
        }
    }
}

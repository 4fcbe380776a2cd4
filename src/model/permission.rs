//! The published catalogue of feature ids a custom role (type 99) can grant, and what each
//! built-in role holds. Shared so that the portal shows the same names the API publishes.
//!
//! Some operations are reserved to admins whatever the features (CONTRACT "Who sees what"):
//! adding, deleting, disabling, enabling members, setting their roles, resetting their
//! passwords, and writing roles.

use serde::{Deserialize, Serialize};

use crate::model::member::MemberRole;

/// The areas features are grouped by in the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Area {
    Members,
    Roles,
    Dealers,
    HeavyBuyers,
    Products,
    Devices,
    /// The vendor's end users (members, 会员) of the operations platform.
    EndUsers,
    Mall,
    Orders,
    Commission,
    /// Work orders (tickets) and service engineers.
    Tickets,
}

pub const AREAS: [Area; 11] = [
    Area::Members,
    Area::Roles,
    Area::Dealers,
    Area::HeavyBuyers,
    Area::Products,
    Area::Devices,
    Area::EndUsers,
    Area::Mall,
    Area::Orders,
    Area::Commission,
    Area::Tickets,
];

/// One grantable feature.
#[derive(Debug, Clone, Copy)]
pub struct Feature {
    pub id: i64,
    pub area: Area,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const READ_MEMBERS: i64 = 1001;
pub const READ_ROLES: i64 = 1101;
pub const READ_DEALERS: i64 = 1201;
pub const MANAGE_DEALERS: i64 = 1202;
pub const READ_HEAVY_BUYERS: i64 = 1301;
pub const MANAGE_HEAVY_BUYERS: i64 = 1302;
pub const READ_PRODUCTS: i64 = 1401;
pub const MANAGE_PRODUCTS: i64 = 1402;
pub const READ_DEVICES: i64 = 1501;
pub const MANAGE_DEVICES: i64 = 1502;
pub const ASSIGN_DEVICES: i64 = 1503;
pub const READ_END_USERS: i64 = 1601;
pub const MANAGE_END_USERS: i64 = 1602;
pub const READ_MALL: i64 = 1701;
pub const MANAGE_MALL: i64 = 1702;
pub const READ_ORDERS: i64 = 1801;
pub const MANAGE_ORDERS: i64 = 1802;
pub const READ_COMMISSION: i64 = 1901;
pub const MANAGE_COMMISSION: i64 = 1902;
pub const READ_TICKETS: i64 = 2001;
pub const MANAGE_TICKETS: i64 = 2002;

pub const FEATURES: &[Feature] = &[
    Feature { id: READ_MEMBERS, area: Area::Members, zh: "查看成员", en: "View members" },
    Feature { id: READ_ROLES, area: Area::Roles, zh: "查看角色", en: "View roles" },
    Feature { id: READ_DEALERS, area: Area::Dealers, zh: "查看经销商", en: "View dealers" },
    Feature { id: MANAGE_DEALERS, area: Area::Dealers, zh: "管理经销商", en: "Manage dealers" },
    Feature { id: READ_HEAVY_BUYERS, area: Area::HeavyBuyers, zh: "查看大客户", en: "View key accounts" },
    Feature { id: MANAGE_HEAVY_BUYERS, area: Area::HeavyBuyers, zh: "管理大客户", en: "Manage key accounts" },
    Feature { id: READ_PRODUCTS, area: Area::Products, zh: "查看产品", en: "View products" },
    Feature { id: MANAGE_PRODUCTS, area: Area::Products, zh: "管理产品", en: "Manage products" },
    Feature { id: READ_DEVICES, area: Area::Devices, zh: "查看设备", en: "View devices" },
    Feature { id: MANAGE_DEVICES, area: Area::Devices, zh: "管理设备", en: "Manage devices" },
    Feature { id: ASSIGN_DEVICES, area: Area::Devices, zh: "分配设备", en: "Assign devices" },
    Feature { id: READ_END_USERS, area: Area::EndUsers, zh: "查看会员", en: "View users" },
    Feature { id: MANAGE_END_USERS, area: Area::EndUsers, zh: "管理会员", en: "Manage users" },
    Feature { id: READ_MALL, area: Area::Mall, zh: "查看商城", en: "View the mall" },
    Feature { id: MANAGE_MALL, area: Area::Mall, zh: "管理商城", en: "Manage the mall" },
    Feature { id: READ_ORDERS, area: Area::Orders, zh: "查看订单", en: "View orders" },
    Feature { id: MANAGE_ORDERS, area: Area::Orders, zh: "处理订单", en: "Handle orders" },
    Feature { id: READ_COMMISSION, area: Area::Commission, zh: "查看佣金", en: "View commission" },
    Feature { id: MANAGE_COMMISSION, area: Area::Commission, zh: "管理佣金", en: "Manage commission" },
    Feature { id: READ_TICKETS, area: Area::Tickets, zh: "查看工单", en: "View work orders" },
    Feature { id: MANAGE_TICKETS, area: Area::Tickets, zh: "处理工单", en: "Handle work orders" },
];

pub fn feature(id: i64) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.id == id)
}

/// The features a built-in role holds. Operations: read everything, change dealers, heavy
/// buyers and device assignment. Developer: products and devices, read-only elsewhere.
/// Admin: every feature (plus the admin-only operations). Custom roles: their own list.
pub fn builtin_features(role: MemberRole) -> &'static [i64] {
    const ALL: &[i64] = &[
        READ_MEMBERS,
        READ_ROLES,
        READ_DEALERS,
        MANAGE_DEALERS,
        READ_HEAVY_BUYERS,
        MANAGE_HEAVY_BUYERS,
        READ_PRODUCTS,
        MANAGE_PRODUCTS,
        READ_DEVICES,
        MANAGE_DEVICES,
        ASSIGN_DEVICES,
        READ_END_USERS,
        MANAGE_END_USERS,
        READ_MALL,
        MANAGE_MALL,
        READ_ORDERS,
        MANAGE_ORDERS,
        READ_COMMISSION,
        MANAGE_COMMISSION,
        READ_TICKETS,
        MANAGE_TICKETS,
    ];
    const OPERATIONS: &[i64] = &[
        READ_MEMBERS,
        READ_ROLES,
        READ_DEALERS,
        MANAGE_DEALERS,
        READ_HEAVY_BUYERS,
        MANAGE_HEAVY_BUYERS,
        READ_PRODUCTS,
        READ_DEVICES,
        ASSIGN_DEVICES,
        READ_END_USERS,
        MANAGE_END_USERS,
        READ_MALL,
        MANAGE_MALL,
        READ_ORDERS,
        MANAGE_ORDERS,
        READ_COMMISSION,
        MANAGE_COMMISSION,
        READ_TICKETS,
        MANAGE_TICKETS,
    ];
    const DEVELOPER: &[i64] = &[
        READ_MEMBERS,
        READ_ROLES,
        READ_DEALERS,
        READ_HEAVY_BUYERS,
        READ_PRODUCTS,
        MANAGE_PRODUCTS,
        READ_DEVICES,
        MANAGE_DEVICES,
        ASSIGN_DEVICES,
    ];
    match role {
        MemberRole::Admin => ALL,
        MemberRole::Operations => OPERATIONS,
        MemberRole::Developer => DEVELOPER,
        MemberRole::Custom => &[],
    }
}

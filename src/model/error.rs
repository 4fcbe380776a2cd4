//! The error every boundary speaks: `/v2` renders it as `{"error":{"code","msg"}}` and server
//! functions carry it to the browser, where pages pick the translated text by `code`.

use serde::{Deserialize, Serialize};

/// A client-facing error: the code is the HTTP status followed by four digits (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {msg}")]
pub struct ApiError {
    pub code: u32,
    pub msg: String,
}

/// The codes of CONTRACT.md, named.
pub mod codes {
    pub const INVALID_FIELD: u32 = 4001001;
    pub const MISSING_FIELD: u32 = 4001002;
    pub const PHONE_TAKEN: u32 = 4001005;
    pub const EMAIL_TAKEN: u32 = 4001006;
    pub const WRONG_PASSWORD: u32 = 4001007;
    pub const MEMBER_DISABLED: u32 = 4001009;
    pub const REFRESH_TOKEN_INVALID: u32 = 4001010;
    pub const EDIT_OTHER_MEMBER: u32 = 4001013;
    pub const DELETE_SELF: u32 = 4001014;
    pub const PRODUCT_RELEASED: u32 = 4001016;
    pub const MAC_TAKEN: u32 = 4001021;
    pub const DEVICE_ACTIVATED: u32 = 4001022;
    pub const ACCOUNT_LOCKED: u32 = 4001061;
    pub const ROLE_IN_USE: u32 = 4001099;
    pub const DEALER_DISABLED: u32 = 4001117;
    pub const HEAVY_BUYER_DISABLED: u32 = 4001118;
    pub const USERNAME_TAKEN: u32 = 4001177;
    pub const DEALER_ACCOUNT_TAKEN: u32 = 4001179;
    pub const FORBIDDEN: u32 = 4031001;
    pub const TOKEN_MISSING: u32 = 4031002;
    pub const TOKEN_INVALID: u32 = 4031003;
    pub const NEEDS_ADMIN: u32 = 4031005;
    pub const NEEDS_ORG_ADMIN: u32 = 4031020;
    pub const TOKEN_EXPIRED: u32 = 4031021;
    pub const TOKEN_REFRESHED: u32 = 4031022;
    pub const NO_SUCH_URL: u32 = 4041001;
    pub const MEMBER_NOT_FOUND: u32 = 4041003;
    pub const PRODUCT_NOT_FOUND: u32 = 4041005;
    pub const DEVICE_NOT_FOUND: u32 = 4041008;
    pub const CORP_NOT_FOUND: u32 = 4041010;
    pub const ROLE_NOT_FOUND: u32 = 4041029;
    pub const DEALER_NOT_FOUND: u32 = 4041030;
    pub const HEAVY_BUYER_NOT_FOUND: u32 = 4041031;
    pub const DEVICE_QUOTA: u32 = 4041033;
    pub const ORG_USER_NOT_FOUND: u32 = 4041045;
    pub const ORGANIZATION_NOT_FOUND: u32 = 4041046;
    pub const UPPER_DEALER_NOT_FOUND: u32 = 4041050;
    /// A sale of a dealer's ledger (beyond the documents).
    pub const SALE_NOT_FOUND: u32 = 4041060;
    /// A command sent to a device (beyond the documents, issue 16).
    pub const COMMAND_NOT_FOUND: u32 = 4041061;
    // The operations platform (`/api`, OPS-CONTRACT.md); on `/api` a service's 400 is 422.
    /// A verification code that is wrong, expired, used or tried too often.
    pub const CODE_WRONG: u32 = 4001201;
    /// A referrer (`rid`) that is not a user of the vendor, or would make a cycle.
    pub const REFERRER_INVALID: u32 = 4001202;
    /// Orders name this merchandise: it is archived, never deleted (AC-07).
    pub const MERCHANDISE_HAS_ORDERS: u32 = 4001203;
    /// The order's state does not allow this change (OPS-CONTRACT.md: 422 on `/api`).
    pub const ORDER_STATE: u32 = 4001204;
    /// A payment channel with no provider configured (AD-08/09 until one is).
    pub const PAY_CHANNEL_OFF: u32 = 4001205;
    /// A payment notification that failed verification or named another amount.
    pub const PAYMENT_REFUSED: u32 = 4001206;
    /// A withdrawal less than 30 seconds after the account's last one.
    pub const WITHDRAW_TOO_SOON: u32 = 4001207;
    /// A withdrawal of more than is available.
    pub const WITHDRAW_TOO_MUCH: u32 = 4001208;
    /// A withdrawal already paid out or rejected.
    pub const WITHDRAWAL_STATE: u32 = 4001209;
    /// An upload that is not a PNG, JPEG, WebP or GIF picture (by its bytes), or whose bytes are
    /// not the type its `Content-Type` names.
    pub const IMAGE_REFUSED: u32 = 4001220;
    /// An upload larger than `FILES_MAX_BYTES`.
    pub const IMAGE_TOO_LARGE: u32 = 4001221;
    /// The ticket's status does not allow this change (422 on `/api`).
    pub const TICKET_STATE: u32 = 4001230;
    /// A serial already registered (AB-02), or a device already bound to another user (AB-11).
    pub const DEVICE_TAKEN: u32 = 4001231;
    /// A device that is not bound, or not to this user; a share that does not exist.
    pub const DEVICE_BINDING: u32 = 4001232;
    /// No engineer can take this ticket (none registered where the dispatch looks).
    pub const NO_ENGINEER: u32 = 4001233;
    /// A mobile already used by another engineer of the vendor.
    pub const ENGINEER_MOBILE_TAKEN: u32 = 4001234;
    pub const VENDOR_DISABLED: u32 = 4031040;
    pub const END_USER_DISABLED: u32 = 4031041;
    /// The vendor does not run this area (AX-08's options).
    pub const AREA_OFF: u32 = 4031042;
    pub const END_USER_NOT_FOUND: u32 = 4041070;
    pub const MERCHANDISE_NOT_FOUND: u32 = 4041071;
    pub const ORDER_NOT_FOUND: u32 = 4041072;
    pub const WITHDRAWAL_NOT_FOUND: u32 = 4041073;
    pub const TICKET_NOT_FOUND: u32 = 4041074;
    pub const ENGINEER_NOT_FOUND: u32 = 4041075;
    /// No file under this key in the file store.
    pub const FILE_NOT_FOUND: u32 = 4041080;
    /// A deregistered vendor (AX-13) or end user (AA-10): its record is kept, and answers 410.
    pub const VENDOR_GONE: u32 = 4101001;
    pub const END_USER_GONE: u32 = 4101002;
    /// A device the platform deregistered (AB-14).
    pub const DEVICE_GONE: u32 = 4101003;
    pub const TOO_MANY_REQUESTS: u32 = 4291001;
    /// A verification code was sent to this mobile less than a minute ago (`Retry-After`).
    pub const CODE_TOO_SOON: u32 = 4291002;
    /// This mobile has had its codes for today.
    pub const CODE_DAILY_LIMIT: u32 = 4291003;
    pub const SERVER_FAULT: u32 = 5031001;
    /// The SMS provider refused the message or could not be reached; the send did not count.
    pub const SMS_UNAVAILABLE: u32 = 5031002;
    /// The payment provider (WeChat Pay) could not be reached or refused the prepay; nothing is
    /// owed, the user may try again.
    pub const PAY_UNAVAILABLE: u32 = 5031003;
}

impl ApiError {
    pub fn new(code: u32, msg: impl Into<String>) -> Self {
        Self { code, msg: msg.into() }
    }

    /// The HTTP status: the first three digits of the code.
    pub fn status(&self) -> u16 {
        (self.code / 10_000) as u16
    }

    /// A field failed validation; `msg` names the field.
    pub fn invalid(field: &str, why: &str) -> Self {
        Self::new(codes::INVALID_FIELD, format!("{field}: {why}"))
    }

    pub fn missing(field: &str) -> Self {
        Self::new(codes::MISSING_FIELD, format!("{field}: required"))
    }

    pub fn forbidden() -> Self {
        Self::new(codes::FORBIDDEN, "forbidden")
    }

    pub fn server_fault() -> Self {
        Self::new(codes::SERVER_FAULT, "server fault, please retry later")
    }

    /// Whether the caller is not (or no longer) logged in, so a page should go to its login.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self.code, codes::TOKEN_MISSING | codes::TOKEN_INVALID | codes::TOKEN_EXPIRED | codes::TOKEN_REFRESHED)
    }
}

/// Server functions fail with `ApiError` too; transport failures (network, decoding) become a
/// server fault so a page has one error type to show.
impl leptos::server_fn::error::FromServerFnError for ApiError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::new(codes::SERVER_FAULT, value.to_string())
    }
}

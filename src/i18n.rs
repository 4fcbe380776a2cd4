//! The translation layer: every interface text comes from a [`Texts`] table, one per language,
//! so a missing translation is a compile error. The language is chosen from the `lang` cookie,
//! else the browser's `Accept-Language`, and can be switched at any time.

use leptos::prelude::*;

use crate::model::error::{codes, ApiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag, as used in `<html lang>` and the `lang` cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header (Chinese when none is).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .map(|part| {
                let mut it = part.split(';');
                let tag = it.next().unwrap_or("").trim();
                let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
                (q, tag)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        ranked.iter().find_map(|(_, tag)| Lang::from_tag(tag)).unwrap_or(Lang::Zh)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The language this page is rendered in. On the server: the `lang` cookie, else the request's
/// `Accept-Language`. In the browser: what the server put in `<html lang>`, so hydration agrees.
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return Lang::Zh;
        };
        let from_cookie = parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang=").and_then(Lang::from_tag));
        from_cookie.unwrap_or_else(|| {
            parts
                .headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or(Lang::Zh)
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|el| el.get_attribute("lang"))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or(Lang::Zh)
    }
}

/// The current language, shared by every component through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn provide() -> Self {
        let i18n = I18n(RwSignal::new(initial_lang()));
        provide_context(i18n);
        i18n
    }

    pub fn lang(&self) -> Lang {
        self.0.get()
    }

    /// The texts of the current language (reactive).
    pub fn t(&self) -> &'static Texts {
        self.0.get().texts()
    }

    /// Switches language and remembers the choice in a cookie for the next visits.
    pub fn set(&self, lang: Lang) {
        self.0.set(lang);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let doc = document();
            if let Some(el) = doc.document_element() {
                let _ = el.set_attribute("lang", lang.tag());
            }
            if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!("lang={}; path=/; max-age=31536000; samesite=lax", lang.tag()));
            }
        }
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Every text of the interface.
pub struct Texts {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub corp_portal: &'static str,
    pub corp_portal_hint: &'static str,
    pub dealer_portal: &'static str,
    pub heavy_buyer_portal: &'static str,
    pub coming_soon: &'static str,
    pub api_docs: &'static str,
    pub api_docs_hint: &'static str,
    pub switch_to: &'static str,

    pub login_title: &'static str,
    pub login_subtitle: &'static str,
    pub account: &'static str,
    pub account_placeholder: &'static str,
    pub password: &'static str,
    pub log_in: &'static str,
    pub logging_in: &'static str,
    pub log_out: &'static str,

    pub nav_dashboard: &'static str,
    pub nav_members: &'static str,
    pub nav_roles: &'static str,
    pub nav_dealers: &'static str,
    pub nav_heavy_buyers: &'static str,
    pub nav_products: &'static str,
    pub nav_devices: &'static str,

    pub dashboard: &'static str,
    pub welcome: &'static str,
    pub company: &'static str,
    pub corp_id: &'static str,
    pub created: &'static str,
    pub certification: &'static str,
    pub devices: &'static str,
    pub device_quota: &'static str,
    pub quota_used: &'static str,
    pub my_account: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub role: &'static str,
    pub loading: &'static str,
    pub retry: &'static str,

    pub corp_status: [&'static str; 3],
    pub roles: [&'static str; 4],

    pub err_wrong_password: &'static str,
    pub err_disabled: &'static str,
    pub err_locked: &'static str,
    pub err_throttled: &'static str,
    pub err_missing: &'static str,
    pub err_invalid: &'static str,
    pub err_logged_out: &'static str,
    pub err_forbidden: &'static str,
    pub err_server: &'static str,

    pub try_it: &'static str,
    pub send: &'static str,
    pub request_body: &'static str,
    pub response: &'static str,
    pub access_token_hint: &'static str,
}

pub const ZH: Texts = Texts {
    app_name: "云智易后台",
    tagline: "品牌商、经销商与大客户的物联网设备管理平台",
    corp_portal: "企业管理台",
    corp_portal_hint: "品牌商成员登录，管理成员、产品、设备与销售渠道",
    dealer_portal: "经销商门户",
    heavy_buyer_portal: "大客户门户",
    coming_soon: "即将推出",
    api_docs: "API 文档",
    api_docs_hint: "/v2 接口的交互式文档",
    switch_to: "English",

    login_title: "企业成员登录",
    login_subtitle: "使用注册时的邮箱或手机号登录",
    account: "账号",
    account_placeholder: "邮箱或手机号",
    password: "密码",
    log_in: "登录",
    logging_in: "正在登录…",
    log_out: "退出登录",

    nav_dashboard: "概览",
    nav_members: "成员",
    nav_roles: "角色",
    nav_dealers: "经销商",
    nav_heavy_buyers: "大客户",
    nav_products: "产品",
    nav_devices: "设备",

    dashboard: "概览",
    welcome: "欢迎回来",
    company: "企业名称",
    corp_id: "企业 ID",
    created: "创建时间",
    certification: "认证状态",
    devices: "设备数量",
    device_quota: "设备配额",
    quota_used: "已用配额",
    my_account: "我的账号",
    name: "姓名",
    email: "邮箱",
    phone: "手机",
    role: "角色",
    loading: "加载中…",
    retry: "重试",

    corp_status: ["未认证", "已认证", "VIP 认证"],
    roles: ["管理员", "运营人员", "开发人员", "自定义角色"],

    err_wrong_password: "账号或密码错误",
    err_disabled: "该账号已停用或尚未激活",
    err_locked: "密码错误次数过多，账号已暂时锁定，请稍后再试",
    err_throttled: "登录失败次数过多，请稍后再试",
    err_missing: "请填写所有必填项",
    err_invalid: "输入有误",
    err_logged_out: "登录已失效，请重新登录",
    err_forbidden: "没有权限执行此操作",
    err_server: "服务器暂时无法处理，请稍后重试",

    try_it: "调试",
    send: "发送请求",
    request_body: "请求体 (JSON)",
    response: "响应",
    access_token_hint: "Access-Token（登录接口返回的 access_token）",
};

pub const EN: Texts = Texts {
    app_name: "Backoffice",
    tagline: "IoT device management for brand owners, dealers and key accounts",
    corp_portal: "Brand owner portal",
    corp_portal_hint: "Corp members sign in to run members, products, devices and the sales channel",
    dealer_portal: "Dealer portal",
    heavy_buyer_portal: "Key account portal",
    coming_soon: "Coming soon",
    api_docs: "API documentation",
    api_docs_hint: "Interactive documentation of the /v2 API",
    switch_to: "中文",

    login_title: "Corp member sign in",
    login_subtitle: "Use the email or phone you registered with",
    account: "Account",
    account_placeholder: "Email or phone",
    password: "Password",
    log_in: "Sign in",
    logging_in: "Signing in…",
    log_out: "Sign out",

    nav_dashboard: "Dashboard",
    nav_members: "Members",
    nav_roles: "Roles",
    nav_dealers: "Dealers",
    nav_heavy_buyers: "Key accounts",
    nav_products: "Products",
    nav_devices: "Devices",

    dashboard: "Dashboard",
    welcome: "Welcome back",
    company: "Company",
    corp_id: "Corp ID",
    created: "Created",
    certification: "Certification",
    devices: "Devices",
    device_quota: "Device quota",
    quota_used: "Quota used",
    my_account: "My account",
    name: "Name",
    email: "Email",
    phone: "Phone",
    role: "Role",
    loading: "Loading…",
    retry: "Retry",

    corp_status: ["Not certified", "Certified", "VIP certified"],
    roles: ["Administrator", "Operations", "Developer", "Custom role"],

    err_wrong_password: "Wrong account or password",
    err_disabled: "This account is disabled or not activated yet",
    err_locked: "Too many wrong passwords: the account is locked for a while, try again later",
    err_throttled: "Too many failed sign-ins, try again later",
    err_missing: "Please fill in every required field",
    err_invalid: "Invalid input",
    err_logged_out: "Your session has ended, please sign in again",
    err_forbidden: "You are not allowed to do this",
    err_server: "The server could not handle this right now, please retry",

    try_it: "Try it",
    send: "Send request",
    request_body: "Request body (JSON)",
    response: "Response",
    access_token_hint: "Access-Token (the access_token a login answered)",
};

impl Texts {
    /// A role's name from its type (1, 2, 3, 99).
    pub fn role_name(&self, role: i64) -> &'static str {
        match role {
            1 => self.roles[0],
            2 => self.roles[1],
            3 => self.roles[2],
            _ => self.roles[3],
        }
    }

    pub fn corp_status_name(&self, status: i64) -> &'static str {
        self.corp_status.get(status as usize).copied().unwrap_or(self.corp_status[0])
    }

    /// What to tell a person about an error, in their language. Validation messages keep the
    /// server's text after the translated lead, since it names the field.
    pub fn error(&self, err: &ApiError) -> String {
        match err.code {
            codes::WRONG_PASSWORD => self.err_wrong_password.into(),
            codes::MEMBER_DISABLED => self.err_disabled.into(),
            codes::ACCOUNT_LOCKED => self.err_locked.into(),
            codes::TOO_MANY_REQUESTS => self.err_throttled.into(),
            codes::MISSING_FIELD => self.err_missing.into(),
            codes::INVALID_FIELD => format!("{}: {}", self.err_invalid, err.msg),
            codes::FORBIDDEN | codes::NEEDS_ADMIN => self.err_forbidden.into(),
            _ if err.is_unauthenticated() => self.err_logged_out.into(),
            _ => self.err_server.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr;q=1.0, zh-CN;q=0.8, en;q=0.5"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0.2, zh;q=0.9"), Lang::Zh);
    }
}

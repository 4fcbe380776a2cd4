//! The translation layer: every interface text comes from a [`Texts`] table, one per language,
//! so a missing translation is a compile error. The language is chosen from the `lang` cookie,
//! else the browser's `Accept-Language`, and can be switched at any time.

use leptos::prelude::*;

use crate::model::{
    dealer::PartnerStatus,
    error::{codes, ApiError},
    member::{MemberRole, MemberStatus},
    organization::OrgRole,
};

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

    pub members_title: &'static str,
    pub nav_audit: &'static str,
    pub audit_title: &'static str,
    pub audit_who: &'static str,
    pub audit_kind: &'static str,
    pub audit_action: &'static str,
    pub audit_record_type: &'static str,
    pub audit_record_id: &'static str,
    pub audit_changes: &'static str,
    pub audit_from: &'static str,
    pub audit_time: &'static str,
    pub audit_intro: &'static str,
    pub add_member: &'static str,
    pub search: &'static str,
    pub search_by: &'static str,
    pub columns: &'static str,
    pub no_rows: &'static str,
    pub showing: &'static str,
    pub prev_page: &'static str,
    pub next_page: &'static str,
    pub per_page: &'static str,
    pub status: &'static str,
    pub last_login: &'static str,
    pub never: &'static str,
    pub notify: &'static str,
    pub alerts: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub view: &'static str,
    pub save: &'static str,
    pub sales_title: &'static str,
    pub entry_title: &'static str,
    pub entry_text: &'static str,
    pub entry_logo: &'static str,
    pub entry_open: &'static str,
    pub entry_closed: &'static str,
    pub module_hidden: &'static str,
    pub sales_per_day: &'static str,
    pub sales_by_region: &'static str,
    pub key_accounts_and_devices: &'static str,
    pub granted_devices: &'static str,
    pub devices_online: &'static str,
    pub record_sale: &'static str,
    pub import_sales: &'static str,
    pub import_sales_hint: &'static str,
    pub import_submit: &'static str,
    pub sales_recorded: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub cancel: &'static str,
    pub delete: &'static str,
    pub confirm: &'static str,
    pub back: &'static str,
    pub member_detail: &'static str,
    pub set_role: &'static str,
    pub custom_role: &'static str,
    pub choose_role: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub reset_password: &'static str,
    pub new_password: &'static str,
    pub current_password: &'static str,
    pub repeat_password: &'static str,
    pub passwords_differ: &'static str,
    pub change_password: &'static str,
    pub password_changed: &'static str,
    pub confirm_delete_member: &'static str,
    pub confirm_disable_member: &'static str,
    pub admin_protected: &'static str,
    pub this_is_you: &'static str,
    pub edit_profile: &'static str,
    pub profile: &'static str,
    pub roles_title: &'static str,
    pub add_role: &'static str,
    pub edit_role: &'static str,
    pub role_name: &'static str,
    pub features: &'static str,
    pub no_roles: &'static str,
    pub confirm_delete_role: &'static str,
    pub role_in_use: &'static str,
    pub err_taken: &'static str,
    pub err_not_found: &'static str,
    pub err_required: &'static str,
    pub err_email: &'static str,
    pub err_phone: &'static str,
    pub err_whole_number: &'static str,
    pub err_member_password: &'static str,
    pub status_pending: &'static str,
    pub status_active: &'static str,
    pub status_disabled: &'static str,
    pub area_members: &'static str,
    pub area_roles: &'static str,
    pub area_dealers: &'static str,
    pub area_heavy_buyers: &'static str,
    pub area_products: &'static str,
    pub area_devices: &'static str,

    pub dealers_title: &'static str,
    pub add_dealer: &'static str,
    pub dealer_detail: &'static str,
    pub dealer_code: &'static str,
    pub upper_dealer: &'static str,
    pub no_upper_dealer: &'static str,
    pub address: &'static str,
    pub table_view: &'static str,
    pub tree_view: &'static str,
    pub lookup_code: &'static str,
    pub find: &'static str,
    pub share_login_link: &'static str,
    pub share_login_hint: &'static str,
    pub share_buyer_link_hint: &'static str,
    pub confirm_delete_dealer: &'static str,
    pub confirm_disable_dealer: &'static str,
    pub status_enabled: &'static str,
    pub status_disabled_short: &'static str,
    pub err_strong_password: &'static str,
    pub heavy_buyers_title: &'static str,
    pub add_heavy_buyer: &'static str,
    pub heavy_buyer_detail: &'static str,
    pub industry: &'static str,
    pub location: &'static str,
    pub contacter: &'static str,
    pub contact_way: &'static str,
    pub confirm_delete_heavy_buyer: &'static str,
    pub confirm_disable_heavy_buyer: &'static str,
    pub edit: &'static str,
    pub dealer_login_title: &'static str,
    pub heavy_buyer_login_title: &'static str,
    pub corp_id_label: &'static str,
    pub portal_login_hint: &'static str,
    pub my_dealers: &'static str,
    pub no_sub_dealers: &'static str,
    pub my_profile: &'static str,
    pub brand_owner: &'static str,
    pub err_dealer_disabled: &'static str,
    pub err_heavy_buyer_disabled: &'static str,
    pub err_upper_dealer: &'static str,
    pub err_dealer_has_children: &'static str,

    pub all: &'static str,

    pub products_title: &'static str,
    pub add_product: &'static str,
    pub product_name: &'static str,
    pub description: &'static str,
    pub link_type: &'static str,
    pub mode: &'static str,
    pub product_type: &'static str,
    pub product_key: &'static str,
    pub released: &'static str,
    pub draft: &'static str,
    pub release: &'static str,
    pub no_products: &'static str,
    pub confirm_delete_product: &'static str,
    pub confirm_release_product: &'static str,
    pub err_product_released: &'static str,
    pub link_types: [&'static str; 5],

    pub try_it: &'static str,
    pub send: &'static str,
    pub request_body: &'static str,
    pub response: &'static str,
    pub access_token_hint: &'static str,

    /// Field labels by API name: `resource.field` where a resource names a field its own way
    /// (a device's `name` is not a person's), else the bare field name (see [`Texts::field_label`]).
    pub fields: &'static [(&'static str, &'static str)],
    pub devices_title: &'static str,
    pub open_devices: &'static str,
    pub add_device: &'static str,
    pub import_devices: &'static str,
    pub import_hint: &'static str,
    pub import_file: &'static str,
    pub import_preview: &'static str,
    pub import_go: &'static str,
    pub import_ok: &'static str,
    pub import_created: &'static str,
    pub import_skipped: &'static str,
    pub import_duplicate: &'static str,
    pub import_too_many: &'static str,
    pub import_summary: &'static str,
    pub export_csv: &'static str,
    pub filter_add: &'static str,
    pub filter_value: &'static str,
    pub filter_field: &'static str,
    pub filter_op: &'static str,
    pub row_actions: &'static str,
    pub select_row: &'static str,
    pub op_contains: &'static str,
    pub op_in: &'static str,
    pub op_empty: &'static str,
    pub op_set: &'static str,
    pub selected: &'static str,
    pub clear_selection: &'static str,
    pub assign_to_dealer: &'static str,
    pub grant_to_heavy_buyer: &'static str,
    pub take_back_dealer: &'static str,
    pub take_back_heavy_buyer: &'static str,
    pub choose_dealer: &'static str,
    pub choose_heavy_buyer: &'static str,
    pub assigned_n: &'static str,
    pub device_detail: &'static str,
    pub tags_hint: &'static str,
    pub confirm_delete_device: &'static str,
    pub err_mac_taken: &'static str,
    pub err_device_activated: &'static str,
    pub err_quota: &'static str,
    pub choose_product: &'static str,
    pub no_devices_yet: &'static str,
    pub heavy_buyer_id_label: &'static str,
    pub username: &'static str,
    pub heavy_buyer_login: &'static str,
    pub org_user_login: &'static str,
    pub organizations_title: &'static str,
    pub org_users_title: &'static str,
    pub org_role: &'static str,
    pub user_login_link_hint: &'static str,
    pub selected_devices: &'static str,
    pub choose_organization: &'static str,
    pub root_organization: &'static str,
    pub grant_to_organization: &'static str,
    pub devices_granted: &'static str,
    pub organizations_hint: &'static str,
    pub delete_organization_title: &'static str,
    pub impact_organizations: &'static str,
    pub impact_users: &'static str,
    pub impact_devices: &'static str,
    pub add_sub_organization: &'static str,
    pub rename: &'static str,
    pub move_to: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub organization_name: &'static str,
    pub organization: &'static str,
    pub add_user: &'static str,
    pub org_users_hint: &'static str,
    pub err_username: &'static str,
    pub reset_password_hint: &'static str,
    pub confirm_delete_user: &'static str,
    pub err_username_taken: &'static str,
    pub err_needs_org_admin: &'static str,
    pub err_org_not_found: &'static str,
    pub org_roles: [&'static str; 2],
    pub unassigned: &'static str,
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

    members_title: "成员",
    nav_audit: "审计日志",
    audit_title: "审计日志",
    audit_who: "操作者",
    audit_kind: "身份",
    audit_action: "操作",
    audit_record_type: "对象类型",
    audit_record_id: "对象",
    audit_changes: "变更",
    audit_from: "来源地址",
    audit_time: "时间",
    audit_intro: "每次登录和每次修改都记录在此，最新的在前；密码、令牌和密钥从不记录。",
    add_member: "添加成员",
    search: "搜索",
    search_by: "搜索字段",
    columns: "显示列",
    no_rows: "没有匹配的记录",
    showing: "共",
    prev_page: "上一页",
    next_page: "下一页",
    per_page: "每页",
    status: "状态",
    last_login: "最近登录",
    never: "从未",
    notify: "接收通知",
    alerts: "接收告警",
    yes: "是",
    no: "否",
    view: "查看",
    save: "保存",
    sales_title: "销售记录",
    entry_title: "专属登录页",
    entry_text: "登录页文字",
    entry_logo: "Logo 地址（https://…）",
    entry_open: "开放登录",
    entry_closed: "此登录页已关闭，请联系品牌商",
    module_hidden: "品牌商未开放此页面",
    sales_per_day: "近 30 天每日销量",
    sales_by_region: "各地区销量",
    key_accounts_and_devices: "大客户与设备",
    granted_devices: "授权给大客户的设备",
    devices_online: "在线设备",
    record_sale: "登记一笔销售",
    import_sales: "导入销售记录",
    import_sales_hint: "每行一笔：客户,手机,序列号,销售日期(2026-11-02)[,地址]",
    import_submit: "导入",
    sales_recorded: "笔销售已登记",
    saving: "保存中…",
    saved: "已保存",
    cancel: "取消",
    delete: "删除",
    confirm: "确认",
    back: "返回",
    member_detail: "成员详情",
    set_role: "设置角色",
    custom_role: "自定义角色",
    choose_role: "选择角色",
    disable: "停用",
    enable: "启用",
    reset_password: "重置密码",
    new_password: "新密码",
    current_password: "当前密码",
    repeat_password: "再次输入新密码",
    passwords_differ: "两次输入的密码不一致",
    change_password: "修改密码",
    password_changed: "密码已修改，其他设备上的登录已退出",
    confirm_delete_member: "确定删除该成员吗？此操作无法撤销，该成员将立即退出登录。",
    confirm_disable_member: "停用后该成员将立即退出登录且无法再登录。",
    admin_protected: "管理员不能被停用、删除或由他人重置密码。",
    this_is_you: "这是你自己的账号",
    edit_profile: "编辑个人信息",
    profile: "个人信息",
    roles_title: "角色",
    add_role: "创建角色",
    edit_role: "编辑角色",
    role_name: "角色名称",
    features: "功能权限",
    no_roles: "还没有自定义角色",
    confirm_delete_role: "确定删除该角色吗？",
    role_in_use: "该角色仍有成员在使用，请先为这些成员设置其他角色。",
    err_taken: "该邮箱或手机号已被注册",
    err_not_found: "记录不存在或已被删除",
    err_required: "必填",
    err_email: "请输入有效的邮箱地址",
    err_phone: "请输入有效的手机号",
    err_whole_number: "请输入不小于 0 的整数",
    err_member_password: "密码长度为 6-16 个字符",
    status_pending: "待激活",
    status_active: "正常",
    status_disabled: "已停用",
    area_members: "成员",
    area_roles: "角色",
    area_dealers: "经销商",
    area_heavy_buyers: "大客户",
    area_products: "产品",
    area_devices: "设备",

    dealers_title: "经销商",
    add_dealer: "添加经销商",
    dealer_detail: "经销商详情",
    dealer_code: "经销商代码",
    upper_dealer: "上级经销商",
    no_upper_dealer: "无（顶级经销商）",
    address: "联系地址",
    table_view: "列表",
    tree_view: "层级",
    lookup_code: "按经销商代码查找",
    find: "查找",
    share_login_link: "分享登录链接",
    share_login_hint: "把此链接发给经销商，企业 ID 已预先填好",
    share_buyer_link_hint: "把此链接发给大客户，企业 ID 已预先填好",
    confirm_delete_dealer: "确定删除该经销商吗？其设备将归还上级经销商。",
    confirm_disable_dealer: "停用后该经销商将立即退出登录且无法再登录。",
    status_enabled: "启用",
    status_disabled_short: "停用",
    err_strong_password: "9-16 位，须包含大写字母、小写字母和数字",
    heavy_buyers_title: "大客户",
    add_heavy_buyer: "添加大客户",
    heavy_buyer_detail: "大客户详情",
    industry: "行业",
    location: "地址",
    contacter: "联系人",
    contact_way: "联系方式",
    confirm_delete_heavy_buyer: "确定删除该大客户吗？其组织和用户将被删除，设备将被释放。",
    confirm_disable_heavy_buyer: "停用后该大客户及其用户将立即退出登录。",
    edit: "编辑",
    dealer_login_title: "经销商登录",
    heavy_buyer_login_title: "大客户登录",
    corp_id_label: "企业 ID",
    portal_login_hint: "使用企业提供的登录链接，或填写企业 ID",
    my_dealers: "我的下级经销商",
    no_sub_dealers: "还没有下级经销商",
    my_profile: "我的资料",
    brand_owner: "品牌商",
    err_dealer_disabled: "该经销商已停用",
    err_heavy_buyer_disabled: "该大客户已停用",
    err_upper_dealer: "上级经销商代码不存在",
    err_dealer_has_children: "该经销商下还有下级经销商，请先处理",

    all: "全部",

    products_title: "产品",
    add_product: "创建产品",
    product_name: "产品名称",
    description: "描述",
    link_type: "连接方式",
    mode: "型号",
    product_type: "产品类型",
    product_key: "产品密钥",
    released: "已发布",
    draft: "未发布",
    release: "发布",
    no_products: "还没有产品",
    confirm_delete_product: "确定删除该产品及其所有设备吗？",
    confirm_release_product: "发布后产品不能再删除。",
    err_product_released: "已发布的产品不能删除",
    link_types: ["Wi-Fi", "ZigBee 网关", "蓝牙", "蓝牙 Mesh", "PC"],

    try_it: "调试",
    send: "发送请求",
    request_body: "请求体 (JSON)",
    response: "响应",
    access_token_hint: "Access-Token（登录接口返回的 access_token）",

    fields: &[
        ("id", "ID"),
        ("name", "姓名"),
        ("email", "邮箱"),
        ("phone", "手机"),
        ("address", "联系地址"),
        ("status", "状态"),
        ("create_time", "创建时间"),
        ("role", "角色"),
        ("role_id", "自定义角色"),
        ("last_auth_time", "最近登录"),
        ("is_notice", "接收通知"),
        ("is_alert", "接收告警"),
        ("industry", "行业"),
        ("location", "地址"),
        ("contacter", "联系人"),
        ("contact_way", "联系方式"),
        ("username", "用户名"),
        ("organization", "所属组织"),
        ("dealer_code", "经销商代码"),
        ("upper_dealer_code", "上级经销商"),
        ("parent", "上级组织"),
        ("sort", "排序"),
        ("region", "区域"),
        ("sale_goal", "销售目标"),
        ("saled_amount", "已售"),
        ("home_page", "主页"),
        ("country", "国家"),
        ("province", "省份"),
        ("city", "城市"),
        ("device_sum", "设备数"),
        ("device.address", "安装地址"),
        ("sale.dealer_id", "经销商 ID"),
        ("sale.name", "客户"),
        ("client_type", "客户类型"),
        ("sale.product_id", "产品 ID"),
        ("product_mod", "型号"),
        ("sale.device_id", "设备 ID"),
        ("sale.mac", "MAC"),
        ("sale.sn", "序列号"),
        ("sale_time", "销售时间"),
        ("x_info", "附加信息"),
        ("pictures", "图片"),
        ("audit.actor_kind", "身份"),
        ("audit.actor_id", "操作者 ID"),
        ("audit.actor", "操作者"),
        ("audit.action", "操作"),
        ("audit.record_type", "对象类型"),
        ("audit.record_id", "对象"),
        ("audit.changes", "变更"),
        ("audit.client", "来源地址"),
        ("audit.create_time", "时间"),
        ("device.id", "ID"),
        ("device.mac", "MAC"),
        ("device.name", "名称"),
        ("device.is_active", "已激活"),
        ("device.active_date", "激活时间"),
        ("device.is_online", "在线"),
        ("device.last_login", "最近登录"),
        ("device.last_login_ip", "最近登录 IP"),
        ("device.mcu_mod", "MCU 型号"),
        ("device.mcu_version", "MCU 版本"),
        ("device.firmware_mod", "固件型号"),
        ("device.firmware_version", "固件版本"),
        ("device.product_id", "产品 ID"),
        ("device.region_id", "区域 ID"),
        ("device.sn", "序列号"),
        ("device.domain", "域"),
        ("device.create_time", "创建时间"),
        ("device.creator_id", "创建者 ID"),
        ("device.creator_type", "创建者类型"),
        ("device.tags", "标签"),
        ("device.dealer_scope", "经销商范围"),
        ("device.heavy_buyer", "大客户"),
        ("device.dealer_id", "经销商 ID"),
        ("device.organization_id", "组织 ID"),
    ],
    devices_title: "设备",
    open_devices: "查看设备",
    add_device: "添加设备",
    import_devices: "批量导入",
    import_hint: "每行一个设备：MAC[,名称[,序列号]]，可带表头，最多 2000 行。已存在的 MAC 会被跳过。",
    import_file: "选择 CSV 文件",
    import_preview: "预览",
    import_go: "导入有效行",
    import_ok: "有效",
    import_created: "已导入",
    import_skipped: "已存在，跳过",
    import_duplicate: "文件中重复",
    import_too_many: "超过 2000 行，只导入前 2000 行",
    import_summary: "有效 / 错误",
    export_csv: "导出 CSV",
    filter_add: "添加条件",
    filter_value: "值",
    filter_field: "筛选字段",
    filter_op: "条件",
    row_actions: "操作",
    select_row: "选择此行",
    op_contains: "包含",
    op_in: "属于（逗号分隔）",
    op_empty: "为空",
    op_set: "不为空",
    selected: "已选",
    clear_selection: "清除选择",
    assign_to_dealer: "分配给经销商",
    grant_to_heavy_buyer: "授予大客户",
    take_back_dealer: "从经销商收回",
    take_back_heavy_buyer: "从大客户收回",
    choose_dealer: "选择经销商",
    choose_heavy_buyer: "选择大客户",
    assigned_n: "台设备已更新",
    device_detail: "设备详情",
    tags_hint: "标签（逗号分隔）",
    confirm_delete_device: "确定删除该设备吗？",
    err_mac_taken: "该产品下已存在此 MAC",
    err_device_activated: "已激活的设备不能删除",
    err_quota: "已达到企业的设备配额",
    choose_product: "产品",
    no_devices_yet: "还没有产品",
    heavy_buyer_id_label: "大客户 ID",
    username: "用户名",
    heavy_buyer_login: "大客户账号",
    org_user_login: "组织用户",
    organizations_title: "组织架构",
    org_users_title: "用户",
    org_role: "角色",
    user_login_link_hint: "组织用户在此登录（大客户 ID + 用户名）：",
    selected_devices: "台设备已选",
    choose_organization: "选择组织…",
    root_organization: "根组织",
    grant_to_organization: "分配到组织",
    devices_granted: "台设备已分配",
    organizations_hint: "建立公司的组织架构；用户看到其所在组织及下级组织的设备。把组织拖到另一个组织上即可移动。",
    delete_organization_title: "删除组织",
    impact_organizations: "个下级组织将一并删除",
    impact_users: "个用户将移到您可见范围的顶层组织（大客户账号为根组织，组织用户为其本人所在组织）",
    impact_devices: "台设备随之移动",
    add_sub_organization: "添加下级",
    rename: "重命名",
    move_to: "移动",
    move_up: "上移",
    move_down: "下移",
    organization_name: "组织名称",
    organization: "所属组织",
    add_user: "添加用户",
    org_users_hint: "管理员可创建和修改其组织及下级组织的用户；普通成员只能查看。",
    err_username: "2–32 个字符，仅限字母、数字、_ - .",
    reset_password_hint: "新密码生效后，该用户的已登录会话将失效。",
    confirm_delete_user: "确定删除该用户吗？其登录将立即失效。",
    err_username_taken: "该用户名已存在",
    err_needs_org_admin: "需要组织管理员权限",
    err_org_not_found: "组织不存在",
    org_roles: ["管理员", "普通成员"],
    unassigned: "未分配",
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

    members_title: "Members",
    nav_audit: "Audit log",
    audit_title: "Audit log",
    audit_who: "Who",
    audit_kind: "As",
    audit_action: "Action",
    audit_record_type: "Record type",
    audit_record_id: "Record",
    audit_changes: "Changes",
    audit_from: "From",
    audit_time: "When",
    audit_intro: "Every sign-in and every change, newest first. Passwords, tokens and keys are never recorded.",
    add_member: "Add member",
    search: "Search",
    search_by: "Search in",
    columns: "Columns",
    no_rows: "Nothing matches",
    showing: "Total",
    prev_page: "Previous",
    next_page: "Next",
    per_page: "Per page",
    status: "Status",
    last_login: "Last sign-in",
    never: "Never",
    notify: "Notifications",
    alerts: "Alerts",
    yes: "Yes",
    no: "No",
    view: "View",
    save: "Save",
    sales_title: "Sales",
    entry_title: "Own sign-in page",
    entry_text: "Sign-in page text",
    entry_logo: "Logo address (https://…)",
    entry_open: "Open for sign-in",
    entry_closed: "This sign-in page is closed; ask your brand owner",
    module_hidden: "Your brand owner has not opened this page to you",
    sales_per_day: "Sales per day, last 30 days",
    sales_by_region: "Sales by region",
    key_accounts_and_devices: "Key accounts and devices",
    granted_devices: "Devices granted to key accounts",
    devices_online: "Devices online",
    record_sale: "Record a sale",
    import_sales: "Import sales",
    import_sales_hint: "One sale a line: customer,phone,serial no.,sale date (2026-11-02)[,address]",
    import_submit: "Import",
    sales_recorded: "sales recorded",
    saving: "Saving…",
    saved: "Saved",
    cancel: "Cancel",
    delete: "Delete",
    confirm: "Confirm",
    back: "Back",
    member_detail: "Member",
    set_role: "Set role",
    custom_role: "Custom role",
    choose_role: "Choose a role",
    disable: "Disable",
    enable: "Enable",
    reset_password: "Reset password",
    new_password: "New password",
    current_password: "Current password",
    repeat_password: "Repeat the new password",
    passwords_differ: "The two passwords differ",
    change_password: "Change password",
    password_changed: "Password changed; your other sign-ins have ended",
    confirm_delete_member: "Delete this member? This cannot be undone and the member is signed out at once.",
    confirm_disable_member: "Once disabled, the member is signed out at once and cannot sign in.",
    admin_protected: "Admins cannot be disabled, deleted or have their password reset by others.",
    this_is_you: "This is your own account",
    edit_profile: "Edit profile",
    profile: "Profile",
    roles_title: "Roles",
    add_role: "Create role",
    edit_role: "Edit role",
    role_name: "Role name",
    features: "Features",
    no_roles: "No custom roles yet",
    confirm_delete_role: "Delete this role?",
    role_in_use: "Members still hold this role: give them another role first.",
    err_taken: "This email or phone is already registered",
    err_not_found: "Not found, or already deleted",
    err_required: "Required",
    err_email: "Enter a valid email address",
    err_phone: "Enter a valid phone number",
    err_whole_number: "Enter a whole number, 0 or more",
    err_member_password: "6 to 16 characters",
    status_pending: "Pending",
    status_active: "Active",
    status_disabled: "Disabled",
    area_members: "Members",
    area_roles: "Roles",
    area_dealers: "Dealers",
    area_heavy_buyers: "Key accounts",
    area_products: "Products",
    area_devices: "Devices",

    dealers_title: "Dealers",
    add_dealer: "Add dealer",
    dealer_detail: "Dealer",
    dealer_code: "Dealer code",
    upper_dealer: "Upper dealer",
    no_upper_dealer: "None (a top dealer)",
    address: "Address",
    table_view: "Table",
    tree_view: "Hierarchy",
    lookup_code: "Find by dealer code",
    find: "Find",
    share_login_link: "Share the login link",
    share_login_hint: "Send this link to your dealers: the corp ID is filled in",
    share_buyer_link_hint: "Send this link to your key accounts: the corp ID is filled in",
    confirm_delete_dealer: "Delete this dealer? Its devices return to its upper dealer.",
    confirm_disable_dealer: "Once disabled, the dealer is signed out at once and cannot sign in.",
    status_enabled: "Enabled",
    status_disabled_short: "Disabled",
    err_strong_password: "9 to 16 characters with upper case, lower case and a digit",
    heavy_buyers_title: "Key accounts",
    add_heavy_buyer: "Add key account",
    heavy_buyer_detail: "Key account",
    industry: "Industry",
    location: "Location",
    contacter: "Contact person",
    contact_way: "Contact details",
    confirm_delete_heavy_buyer:
        "Delete this key account? Its organizations and users are removed and its devices released.",
    confirm_disable_heavy_buyer: "Once disabled, the key account and its users are signed out at once.",
    edit: "Edit",
    dealer_login_title: "Dealer sign in",
    heavy_buyer_login_title: "Key account sign in",
    corp_id_label: "Corp ID",
    portal_login_hint: "Use the link your brand owner sent you, or enter its corp ID",
    my_dealers: "My sub-dealers",
    no_sub_dealers: "No sub-dealers yet",
    my_profile: "My profile",
    brand_owner: "Brand owner",
    err_dealer_disabled: "This dealer is disabled",
    err_heavy_buyer_disabled: "This key account is disabled",
    err_upper_dealer: "No dealer has this upper dealer code",
    err_dealer_has_children: "Dealers sit below this dealer: deal with them first",

    all: "All",

    products_title: "Products",
    add_product: "Create product",
    product_name: "Product name",
    description: "Description",
    link_type: "Connectivity",
    mode: "Model",
    product_type: "Type",
    product_key: "Product key",
    released: "Released",
    draft: "Draft",
    release: "Release",
    no_products: "No products yet",
    confirm_delete_product: "Delete this product and all its devices?",
    confirm_release_product: "Once released, the product can no longer be deleted.",
    err_product_released: "A released product cannot be deleted",
    link_types: ["Wi-Fi", "ZigBee gateway", "Bluetooth LE", "BLE mesh", "PC"],

    try_it: "Try it",
    send: "Send request",
    request_body: "Request body (JSON)",
    response: "Response",
    access_token_hint: "Access-Token (the access_token a login answered)",

    fields: &[
        ("id", "ID"),
        ("name", "Name"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("address", "Address"),
        ("status", "Status"),
        ("create_time", "Created"),
        ("role", "Role"),
        ("role_id", "Custom role"),
        ("last_auth_time", "Last sign-in"),
        ("is_notice", "Notifications"),
        ("is_alert", "Alerts"),
        ("industry", "Industry"),
        ("location", "Location"),
        ("contacter", "Contact person"),
        ("contact_way", "Contact details"),
        ("username", "Username"),
        ("organization", "Organization"),
        ("dealer_code", "Dealer code"),
        ("upper_dealer_code", "Upper dealer"),
        ("parent", "Parent organization"),
        ("sort", "Order"),
        ("region", "Region"),
        ("sale_goal", "Sales goal"),
        ("saled_amount", "Sold"),
        ("home_page", "Home page"),
        ("country", "Country"),
        ("province", "Province"),
        ("city", "City"),
        ("device_sum", "Devices"),
        ("device.address", "Installed at"),
        ("sale.dealer_id", "Dealer ID"),
        ("sale.name", "Customer"),
        ("client_type", "Customer type"),
        ("sale.product_id", "Product ID"),
        ("product_mod", "Model"),
        ("sale.device_id", "Device ID"),
        ("sale.mac", "MAC"),
        ("sale.sn", "Serial no."),
        ("sale_time", "Sold at"),
        ("x_info", "Details"),
        ("pictures", "Pictures"),
        ("audit.actor_kind", "As"),
        ("audit.actor_id", "Actor ID"),
        ("audit.actor", "Who"),
        ("audit.action", "Action"),
        ("audit.record_type", "Record type"),
        ("audit.record_id", "Record"),
        ("audit.changes", "Changes"),
        ("audit.client", "From"),
        ("audit.create_time", "When"),
        ("device.id", "ID"),
        ("device.mac", "MAC"),
        ("device.name", "Name"),
        ("device.is_active", "Activated"),
        ("device.active_date", "Activated at"),
        ("device.is_online", "Online"),
        ("device.last_login", "Last login"),
        ("device.last_login_ip", "Last login IP"),
        ("device.mcu_mod", "MCU model"),
        ("device.mcu_version", "MCU version"),
        ("device.firmware_mod", "Firmware model"),
        ("device.firmware_version", "Firmware version"),
        ("device.product_id", "Product ID"),
        ("device.region_id", "Region ID"),
        ("device.sn", "Serial no."),
        ("device.domain", "Domain"),
        ("device.create_time", "Created"),
        ("device.creator_id", "Creator ID"),
        ("device.creator_type", "Creator type"),
        ("device.tags", "Tags"),
        ("device.dealer_scope", "Dealer scope"),
        ("device.heavy_buyer", "Key account"),
        ("device.dealer_id", "Dealer ID"),
        ("device.organization_id", "Organization ID"),
    ],
    devices_title: "Devices",
    open_devices: "Devices",
    add_device: "Add device",
    import_devices: "Import",
    import_hint: "One device per line: MAC[,name[,serial]]; a header line is fine; up to 2000 lines. MACs the product already has are skipped.",
    import_file: "Choose a CSV file",
    import_preview: "Preview",
    import_go: "Import the valid rows",
    import_ok: "ok",
    import_created: "imported",
    import_skipped: "already there, skipped",
    import_duplicate: "repeated in the file",
    import_too_many: "More than 2000 lines: only the first 2000 are imported",
    import_summary: "valid / with errors",
    export_csv: "Export CSV",
    filter_add: "Add condition",
    filter_value: "value",
    filter_field: "Filter field",
    filter_op: "Condition",
    row_actions: "Actions",
    select_row: "Select this row",
    op_contains: "contains",
    op_in: "is one of (comma-separated)",
    op_empty: "is empty",
    op_set: "is set",
    selected: "selected",
    clear_selection: "Clear selection",
    assign_to_dealer: "Assign to dealer",
    grant_to_heavy_buyer: "Grant to key account",
    take_back_dealer: "Take back from dealers",
    take_back_heavy_buyer: "Take back from key accounts",
    choose_dealer: "Choose a dealer",
    choose_heavy_buyer: "Choose a key account",
    assigned_n: "devices updated",
    device_detail: "Device",
    tags_hint: "Tags (comma-separated)",
    confirm_delete_device: "Delete this device?",
    err_mac_taken: "This product already has a device with that MAC",
    err_device_activated: "An activated device cannot be deleted",
    err_quota: "The corp's device quota is reached",
    choose_product: "Product",
    no_devices_yet: "No products yet",
    heavy_buyer_id_label: "Key account ID",
    username: "Username",
    heavy_buyer_login: "Key account",
    org_user_login: "Organization user",
    organizations_title: "Organizations",
    org_users_title: "Users",
    org_role: "Role",
    user_login_link_hint: "Your organization users sign in here (key account ID + username):",
    selected_devices: "devices selected",
    choose_organization: "Choose an organization…",
    root_organization: "Root organization",
    grant_to_organization: "Grant to organization",
    devices_granted: "devices granted",
    organizations_hint: "Model your company; each user sees the devices of their organization and those below it. Drag an organization onto another to move it there.",
    delete_organization_title: "Delete organization",
    impact_organizations: "sub-organizations are deleted with it",
    impact_users: "users move up to the top of your view (the root organization for the key account, your own organization for an organization user)",
    impact_devices: "devices move with them",
    add_sub_organization: "Add sub-organization",
    rename: "Rename",
    move_to: "Move",
    move_up: "Move up",
    move_down: "Move down",
    organization_name: "Organization name",
    organization: "Organization",
    add_user: "Add user",
    org_users_hint: "Admins create and edit the users of their organization and below; members only read.",
    err_username: "2–32 characters: letters, digits, _ - . only",
    reset_password_hint: "The user's current sessions end when the new password is saved.",
    confirm_delete_user: "Delete this user? Their sessions end at once.",
    err_username_taken: "This username is already taken",
    err_needs_org_admin: "Only the key account and organization admins may do this",
    err_org_not_found: "Organization not found",
    org_roles: ["Admin", "Member"],
    unassigned: "unassigned",
};

impl Texts {
    pub fn role_name(&self, role: MemberRole) -> &'static str {
        match role {
            MemberRole::Admin => self.roles[0],
            MemberRole::Operations => self.roles[1],
            MemberRole::Developer => self.roles[2],
            MemberRole::Custom => self.roles[3],
        }
    }

    pub fn org_role_name(&self, role: OrgRole) -> &'static str {
        match role {
            OrgRole::Admin => self.org_roles[0],
            OrgRole::Member => self.org_roles[1],
        }
    }

    pub fn member_status(&self, status: MemberStatus) -> &'static str {
        match status {
            MemberStatus::Pending => self.status_pending,
            MemberStatus::Active => self.status_active,
            MemberStatus::Disabled => self.status_disabled,
        }
    }

    pub fn enabled_status(&self, status: PartnerStatus) -> &'static str {
        match status {
            PartnerStatus::Enabled => self.status_enabled,
            PartnerStatus::Disabled => self.status_disabled_short,
        }
    }

    pub fn area(&self, area: crate::model::permission::Area) -> &'static str {
        use crate::model::permission::Area;
        match area {
            Area::Members => self.area_members,
            Area::Roles => self.area_roles,
            Area::Dealers => self.area_dealers,
            Area::HeavyBuyers => self.area_heavy_buyers,
            Area::Products => self.area_products,
            Area::Devices => self.area_devices,
        }
    }

    /// A product's link type (1–5) by name.
    pub fn link_type_name(&self, link_type: i64) -> &'static str {
        usize::try_from(link_type - 1).ok().and_then(|i| self.link_types.get(i)).copied().unwrap_or("—")
    }

    /// A field's label by its API name: the resource's own label for it if it has one, else the
    /// field's; "?" for a field nobody labelled (a unit test keeps that from happening).
    pub fn field_label(&self, resource: &str, field: &str) -> &'static str {
        let own = |key: &str| key.strip_prefix(resource).and_then(|rest| rest.strip_prefix('.')) == Some(field);
        let pick = |matches: &dyn Fn(&str) -> bool| self.fields.iter().find(|(k, _)| matches(k)).map(|(_, l)| *l);
        pick(&own).or_else(|| pick(&|k| k == field)).unwrap_or("?")
    }

    /// A device field's label by its API name.
    pub fn device_field(&self, key: &str) -> &'static str {
        self.field_label("device", key)
    }

    pub fn yes_no(&self, b: bool) -> &'static str {
        if b {
            self.yes
        } else {
            self.no
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
            codes::DEALER_DISABLED => self.err_dealer_disabled.into(),
            codes::HEAVY_BUYER_DISABLED => self.err_heavy_buyer_disabled.into(),
            codes::UPPER_DEALER_NOT_FOUND => self.err_upper_dealer.into(),
            codes::DEALER_ACCOUNT_TAKEN => self.err_taken.into(),
            codes::USERNAME_TAKEN => self.err_username_taken.into(),
            codes::NEEDS_ORG_ADMIN => self.err_needs_org_admin.into(),
            codes::ORGANIZATION_NOT_FOUND => self.err_org_not_found.into(),
            codes::ACCOUNT_LOCKED => self.err_locked.into(),
            codes::TOO_MANY_REQUESTS => self.err_throttled.into(),
            codes::MISSING_FIELD => self.err_missing.into(),
            codes::INVALID_FIELD => format!("{}: {}", self.err_invalid, err.msg),
            codes::FORBIDDEN | codes::NEEDS_ADMIN => self.err_forbidden.into(),
            codes::EMAIL_TAKEN | codes::PHONE_TAKEN => self.err_taken.into(),
            codes::ROLE_IN_USE => self.role_in_use.into(),
            codes::PRODUCT_RELEASED => self.err_product_released.into(),
            codes::MAC_TAKEN => self.err_mac_taken.into(),
            codes::DEVICE_ACTIVATED => self.err_device_activated.into(),
            codes::DEVICE_QUOTA => format!("{} ({})", self.err_quota, err.msg),
            codes::MEMBER_NOT_FOUND
            | codes::ROLE_NOT_FOUND
            | codes::DEALER_NOT_FOUND
            | codes::HEAVY_BUYER_NOT_FOUND
            | codes::PRODUCT_NOT_FOUND
            | codes::ORG_USER_NOT_FOUND
            | codes::SALE_NOT_FOUND
            | codes::DEVICE_NOT_FOUND => self.err_not_found.into(),
            _ if err.is_unauthenticated() => self.err_logged_out.into(),
            _ => self.err_server.into(),
        }
    }
}

/// What a column header or a filter field reads: a text of its own, or a resource field's
/// label by name.
#[derive(Debug, Clone, Copy)]
pub enum Label {
    Text(fn(&Texts) -> &'static str),
    /// The resource's name and the field's.
    Field(&'static str, &'static str),
}

impl Label {
    pub fn get(self, t: &Texts) -> &'static str {
        match self {
            Label::Text(text) => text(t),
            Label::Field(resource, field) => t.field_label(resource, field),
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

    #[test]
    fn every_field_of_every_resource_is_labelled_in_both_languages() {
        use crate::model::{
            audit::AuditEntry,
            dealer::Dealer,
            device::Device,
            heavy_buyer::HeavyBuyer,
            member::Member,
            organization::{OrgUser, Organization},
        };
        let resources = [
            &Device::RESOURCE,
            &Member::RESOURCE,
            &Dealer::RESOURCE,
            &HeavyBuyer::RESOURCE,
            &Organization::RESOURCE,
            &OrgUser::RESOURCE,
            &AuditEntry::RESOURCE,
            &crate::model::sale::Sale::RESOURCE,
        ];
        for texts in [&ZH, &EN] {
            for resource in resources {
                for field in resource.visible() {
                    assert_ne!(texts.field_label(resource.name, field.name), "?", "{}.{}", resource.name, field.name);
                }
            }
        }
    }
}

//! The corp dashboard: the corp's information, from the same service as `GET /v2/corp`.

use leptos::prelude::*;

use super::layout::with_session;
use crate::i18n::use_i18n;

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        {crate::components::page_title(|t| t.dashboard.to_owned())}
        {with_session(move |session| {
                    let me = session.info;
                    {
                        let used = if me.device_limit > 0 { me.device_total * 100 / me.device_limit } else { 0 };
                        view! {
                            <h1 class="text-2xl font-bold" data-testid="dashboard-title">{move || t().dashboard}</h1>
                            <p class="mt-1 text-slate-500">{move || t().welcome} ", " {me.member.name.clone()}</p>
                            <div class="mt-6 grid gap-4 sm:grid-cols-3">
                                <Stat label=move || t().devices value=grouped(me.device_total)/>
                                <Stat label=move || t().device_quota value=grouped(me.device_limit)/>
                                <Stat label=move || t().quota_used value=format!("{used}%")/>
                            </div>
                            <div class="mt-6 grid gap-4 lg:grid-cols-2">
                                <section class="rounded-xl border border-slate-200 bg-white p-5">
                                    <h2 class="font-semibold">{move || t().company}</h2>
                                    <dl class="mt-3 space-y-2 text-sm" data-testid="corp-info">
                                        <Row label=move || t().company value=me.company.clone()/>
                                        <Row label=move || t().corp_id value=me.id.clone()/>
                                        <Row label=move || t().created value=readable_time(&me.create_time)/>
                                        <Row label=move || t().certification value={
                                            let status = me.status;
                                            move || t().corp_status_name(status).to_string()
                                        }/>
                                    </dl>
                                </section>
                                <section class="rounded-xl border border-slate-200 bg-white p-5">
                                    <h2 class="font-semibold">{move || t().my_account}</h2>
                                    <dl class="mt-3 space-y-2 text-sm">
                                        <Row label=move || t().name value=me.member.name.clone()/>
                                        <Row label=move || t().email value=me.member.email.clone()/>
                                        <Row label=move || t().phone value=me.member.phone.clone()/>
                                        <Row label=move || t().role value={
                                            let role = me.member.role;
                                            move || t().role_name(role).to_string()
                                        }/>
                                    </dl>
                                </section>
                            </div>
                        }
                    }
        })}
    }
}

/// 1234567 → "1,234,567".
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// "2026-11-23T15:36:37.195Z" → "2026-11-23 15:36 UTC".
fn readable_time(iso: &str) -> String {
    match iso.get(..16) {
        Some(head) => format!("{} UTC", head.replace('T', " ")),
        None => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_and_times_read_well() {
        assert_eq!(super::grouped(1_000_000), "1,000,000");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(-1234), "-1,234");
        assert_eq!(super::readable_time("2026-11-23T15:36:37.195Z"), "2026-11-23 15:36 UTC");
    }
}

#[component]
fn Stat(label: impl Fn() -> &'static str + Send + Sync + 'static, value: String) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-5">
            <p class="text-sm text-slate-500">{label}</p>
            <p class="mt-1 text-2xl font-semibold">{value}</p>
        </div>
    }
}

#[component]
fn Row(label: impl Fn() -> &'static str + Send + Sync + 'static, value: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="flex justify-between gap-4">
            <dt class="text-slate-500">{label}</dt>
            <dd class="truncate font-medium">{value}</dd>
        </div>
    }
}

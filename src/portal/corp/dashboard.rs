//! The corp dashboard: the corp's information (the same service as `GET /v2/corp`) and its
//! charts — sales per day and by region, key accounts and their devices, devices online — drawn
//! as SVG and HTML on the server, so they read without JavaScript.

use leptos::{prelude::*, server_fn::codec::Json};

use super::layout::with_session;
use crate::{
    i18n::use_i18n,
    model::{
        error::ApiError,
        statistics::{DashboardFigures, DayTotal},
    },
};

#[server(prefix = "/fn", endpoint = "/dashboard_figures", input = Json)]
pub async fn load_dashboard_figures() -> Result<DashboardFigures, ApiError> {
    use crate::server::{fns, service::statistics};
    let (ctx, principal) = fns::caller().await?;
    statistics::dashboard(&ctx, &principal).await.map_err(fns::refuse)
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    // Made here, outside the session's Suspense (see `with_session`).
    let figures = Resource::new(|| (), |_| load_dashboard_figures());
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
                                <Charts figures=figures/>
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

/// The dashboard's charts, each shown when the member's role reads its figures.
#[component]
fn Charts(figures: Resource<Result<DashboardFigures, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let f = figures.await.unwrap_or_default();
                view! {
                    {f.sales_by_day.map(|days| view! {
                        <section class="rounded-xl border border-slate-200 bg-white p-5 lg:col-span-2" data-testid="sales-chart">
                            <h2 class="font-semibold">{move || t().sales_per_day}</h2>
                            <DayBars days=days/>
                        </section>
                    })}
                    {f.mall_sales_by_day.map(|days| view! {
                        <section class="rounded-xl border border-slate-200 bg-white p-5 lg:col-span-2" data-testid="mall-sales-chart">
                            <h2 class="font-semibold">{move || t().shop.mall_sales}</h2>
                            <DayBars days=days money=true/>
                        </section>
                    })}
                    {f.commission_by_day.map(|days| view! {
                        <section class="rounded-xl border border-slate-200 bg-white p-5 lg:col-span-2" data-testid="commission-chart">
                            <h2 class="font-semibold">{move || t().shop.commission_earned}</h2>
                            <DayBars days=days money=true/>
                        </section>
                    })}
                    {f.sales_by_region.map(|regions| view! {
                        <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="region-chart">
                            <h2 class="font-semibold">{move || t().sales_by_region}</h2>
                            <RegionBars regions=regions/>
                        </section>
                    })}
                    <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="key-account-figures">
                        <h2 class="font-semibold">{move || t().key_accounts_and_devices}</h2>
                        <dl class="mt-3 space-y-2 text-sm">
                            {f.heavy_buyers.map(|s| view! {
                                <Row label=move || t().heavy_buyers_title value=format!("{} (+{})", grouped(s.heavy_buyer), s.current_month_heavy_buyer)/>
                                <Row label=move || t().granted_devices value=format!("{} (+{})", grouped(s.device), s.current_month_device)/>
                            })}
                            {f.devices_online.map(|(online, total)| view! {
                                <Row label=move || t().devices_online value=format!("{} / {}", grouped(online), grouped(total))/>
                                <div class="h-2 rounded bg-slate-100" role="img" aria-label=format!("{online} / {total}")>
                                    <div class="h-2 rounded bg-emerald-500" style=format!("width: {}%", percent(online, total))></div>
                                </div>
                            })}
                        </dl>
                    </section>
                }
            })}
        </Transition>
    }
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole > 0 {
        part * 100 / whole
    } else {
        0
    }
}

/// Sales per day as bars; each bar says its day and count (a tooltip, and to screen readers).
#[component]
fn DayBars(
    days: Vec<DayTotal>,
    /// The figures are fen, read as yuan.
    #[prop(optional)]
    money: bool,
) -> impl IntoView {
    let shown = move |n: i64| if money { crate::model::money::yuan(n) } else { n.to_string() };
    const W: usize = 600;
    const H: i64 = 120;
    let max = days.iter().map(|d| d.sale_total).max().unwrap_or(0).max(1);
    let step = W / days.len().max(1);
    let total: i64 = days.iter().map(|d| d.sale_total).sum();
    let first = days.first().map(|d| d.day.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.day.clone()).unwrap_or_default();
    // The days with sales, as text: what the bars say, for screen readers and without styles.
    let spoken = days
        .iter()
        .filter(|d| d.sale_total > 0)
        .map(|d| format!("{}: {}", d.day, shown(d.sale_total)))
        .collect::<Vec<_>>();
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let h = d.sale_total * (H - 10) / max;
            view! {
                <rect x=(i * step + 1).to_string() y=(H - h).to_string() width=(step.saturating_sub(2)).to_string() height=h.to_string()
                    class="fill-indigo-500" data-testid="day-bar" data-day=d.day data-total=d.sale_total.to_string()/>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {W} {H}") class="mt-3 h-32 w-full" role="img" aria-label=format!("{first} – {last}: {}", shown(total))>
            {bars}
        </svg>
        <ul class="sr-only">{spoken.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
        <div class="flex justify-between text-xs text-slate-500">
            <span>{first}</span>
            <span data-testid="sales-total">{format!("Σ {} · max {}", shown(total), shown(max))}</span>
            <span>{last}</span>
        </div>
    }
}

/// Sales by region as horizontal bars, the ten largest.
#[component]
fn RegionBars(regions: Vec<(String, i64)>) -> impl IntoView {
    let i18n = use_i18n();
    let max = regions.first().map(|r| r.1).unwrap_or(0).max(1);
    if regions.is_empty() {
        return view! { <p class="mt-3 text-sm text-slate-400">{move || i18n.t().no_rows}</p> }.into_any();
    }
    view! {
        <ul class="mt-3 space-y-1 text-sm">
            {regions.into_iter().take(10).map(|(region, n)| view! {
                <li class="flex items-center gap-2" data-testid="region-bar">
                    <span class="w-24 truncate text-slate-600">{region.replace('-', " · ")}</span>
                    <span class="h-3 rounded bg-indigo-400" style=format!("width: {}%", n * 70 / max)></span>
                    <span class="tabular-nums">{n}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

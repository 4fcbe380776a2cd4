//! A device's live side on its page (issue 16): online state and the latest values, a chart of
//! the last day's water, the command buttons with each command's outcome, and the credentials
//! the device connects with. Refreshed every few seconds while the page is open.

use std::time::Duration;

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    components::ErrorNote,
    i18n::use_i18n,
    model::{
        error::ApiError,
        telemetry::{Command, CommandKind, Credentials, HourBar, NewCommand, Telemetry},
    },
};

#[server(prefix = "/fn", endpoint = "/device_telemetry", input = Json)]
pub async fn device_telemetry(product_id: String, id: i64) -> Result<Telemetry, ApiError> {
    use crate::server::{fns, service::telemetry};
    let (ctx, principal) = fns::caller().await?;
    telemetry::latest(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_last_day", input = Json)]
pub async fn device_last_day(product_id: String, id: i64) -> Result<Vec<HourBar>, ApiError> {
    use crate::server::{fns, service::telemetry};
    let (ctx, principal) = fns::caller().await?;
    telemetry::last_day(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_commands", input = Json)]
pub async fn device_commands(product_id: String, id: i64) -> Result<Vec<Command>, ApiError> {
    use crate::server::{fns, service::command};
    let (ctx, principal) = fns::caller().await?;
    command::list(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_command", input = Json)]
pub async fn send_command(product_id: String, id: i64, input: NewCommand) -> Result<Command, ApiError> {
    use crate::server::{fns, service::command};
    let (ctx, principal) = fns::caller().await?;
    command::send(&ctx, &principal, &product_id, id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_credentials", input = Json)]
pub async fn device_credentials(product_id: String, id: i64) -> Result<Credentials, ApiError> {
    use crate::server::{fns, service::telemetry};
    let (ctx, principal) = fns::caller().await?;
    telemetry::credentials(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

/// How often the page asks again while it is open.
const REFRESH: Duration = Duration::from_secs(2);

/// The live side's data: made by the page in its own body, outside any Suspense. Resources
/// made inside a Suspense's children get other ids in the browser than on the server (server
/// rendering runs those children a varying number of times), and the page then never hydrates.
#[derive(Clone, Copy)]
pub struct LiveData {
    tick: RwSignal<u32>,
    telemetry: Resource<Result<Telemetry, ApiError>>,
    chart: Resource<Result<Vec<HourBar>, ApiError>>,
    commands: Resource<Result<Vec<Command>, ApiError>>,
    /// `None` for a member who may not manage devices (it is not asked, and not refused).
    credentials: Resource<Result<Option<Credentials>, ApiError>>,
}

impl LiveData {
    /// The data of the device `key()` names (product id, device id); `can_manage` resolves to
    /// whether the member may command it and see its credentials.
    pub fn new<F>(
        key: impl Fn() -> (String, i64) + Copy + Send + Sync + 'static,
        can_manage: impl Fn() -> F + Copy + Send + Sync + 'static,
    ) -> Self
    where
        F: std::future::Future<Output = bool> + Send + 'static,
    {
        let tick = RwSignal::new(0u32);
        // Only in the browser: effects do not run while rendering on the server.
        Effect::new(move |_| {
            if let Ok(handle) = set_interval_with_handle(
                move || {
                    // Not before the whole page is hydrated (lib.rs marks the body then): a refetch
                    // while hydration still waits for the page's chunk would change the very views
                    // being hydrated, and the page would never become interactive.
                    if leptos::tachys::dom::body().has_attribute("data-hydrated") {
                        tick.try_update(|n| *n = n.wrapping_add(1));
                    }
                },
                REFRESH,
            ) {
                on_cleanup(move || handle.clear());
            }
        });
        let polled = move || (key(), tick.get());
        LiveData {
            tick,
            telemetry: Resource::new(polled, |((pid, id), _)| device_telemetry(pid, id)),
            chart: Resource::new(polled, |((pid, id), _)| device_last_day(pid, id)),
            commands: Resource::new(polled, |((pid, id), _)| device_commands(pid, id)),
            credentials: Resource::new(key, move |(pid, id)| async move {
                if can_manage().await {
                    device_credentials(pid, id).await.map(Some)
                } else {
                    Ok(None)
                }
            }),
        }
    }
}

/// The live panels of device `id` of `product_id`; `can_manage`: the commands and credentials.
#[component]
pub fn DeviceLive(product_id: String, id: i64, can_manage: bool, data: LiveData) -> impl IntoView {
    let LiveData { tick, telemetry, chart, commands, credentials } = data;
    let sent = Callback::new(move |_| tick.update(|n| *n = n.wrapping_add(1)));
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 lg:col-span-2" data-testid="device-live">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match telemetry.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(t) => view! { <LiveValues t=t/> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    chart.await.ok().map(|bars| view! { <DayChart bars=bars/> })
                })}
            </Transition>
        </section>
        <Show when=move || can_manage>
            <CommandPanel product_id=product_id.clone() id=id on_sent=sent/>
        </Show>
        <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="device-commands">
            <CommandHistory commands=commands/>
        </section>
        <Show when=move || can_manage>
            <ConnectionPanel credentials=credentials/>
        </Show>
    }
}

#[component]
fn LiveValues(t: Telemetry) -> impl IntoView {
    let i18n = use_i18n();
    let tx = move || i18n.t();
    let hours = |minutes: i64| format!("{:.1}", minutes as f64 / 60.0);
    let litres = format!("{:.1} L", t.water_ml as f64 / 1000.0);
    let tds = match (t.tds_in, t.tds_out) {
        (None, None) => "—".to_owned(),
        (a, b) => format!("{} / {}", a.map_or("—".into(), |v| v.to_string()), b.map_or("—".into(), |v| v.to_string())),
    };
    let online = t.is_online;
    let last = t.telemetry_time.clone().map(|s| s.get(..19).unwrap_or(&s).replace('T', " "));
    let (work, power) = (hours(t.work_minutes), hours(t.power_on_minutes));
    let (run, locked) = (t.run_state, t.locked);
    view! {
        <div class="flex flex-wrap items-center justify-between gap-2">
            <h2 class="text-lg font-semibold">{move || tx().live_title}</h2>
            <span data-testid="online-state" class=if online { "rounded-full bg-emerald-100 px-3 py-1 text-sm font-medium text-emerald-800" } else { "rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-600" }>
                {move || if online { tx().live_online } else { tx().live_offline }}
            </span>
        </div>
        <dl class="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            <Value label=Signal::derive(move || tx().live_water.to_owned()) value=litres testid="water"/>
            <Value label=Signal::derive(move || format!("{} ({})", tx().live_work, tx().live_hours)) value=work testid="work"/>
            <Value label=Signal::derive(move || format!("{} ({})", tx().live_power_on, tx().live_hours)) value=power testid="power-on"/>
            <Value label=Signal::derive(move || tx().live_tds.to_owned()) value=tds testid="tds"/>
            <div>
                <dt class="text-slate-500">{move || tx().live_run_state}</dt>
                <dd class="font-medium" data-testid="run-state">{move || tx().run_state(run)} " · " {move || if locked { tx().live_locked } else { tx().live_unlocked }}</dd>
            </div>
            <div class="col-span-2 sm:col-span-3">
                <dt class="text-slate-500">{move || tx().live_last_report}</dt>
                <dd class="font-medium" data-testid="last-report">{move || last.clone().unwrap_or_else(|| tx().live_never.to_owned())}</dd>
            </div>
        </dl>
        {(!t.filters.is_empty()).then(|| view! {
            <ul class="mt-3 flex flex-wrap gap-2 text-sm" data-testid="filters">
                {t.filters.iter().map(|f| {
                    let (order, used) = (f.order, format!("{:.0} h · {:.0} L", f.used_minutes as f64 / 60.0, f.used_ml as f64 / 1000.0));
                    view! { <li class="rounded-md bg-slate-50 px-2 py-1">{move || tx().live_filter} " " {order} ": " {used.clone()}</li> }
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn Value(label: Signal<String>, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div>
            <dt class="text-slate-500">{label}</dt>
            <dd class="text-base font-semibold" data-testid=testid>{value}</dd>
        </div>
    }
}

/// The last 24 hours' water as bars (SVG, drawn on the server and in the browser alike).
#[component]
fn DayChart(bars: Vec<HourBar>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let max = bars.iter().map(|b| b.water_ml).max().unwrap_or(0).max(1);
    let (w, h, gap) = (24.0_f64, 100.0_f64, 4.0_f64);
    let total = bars.iter().map(|b| b.water_ml).sum::<i64>();
    view! {
        <figure class="mt-4" data-testid="day-chart" data-total-ml=total.to_string()>
            <figcaption class="text-sm text-slate-500">{move || t().live_chart}</figcaption>
            <svg viewBox=format!("0 0 {} {}", bars.len() as f64 * w, h + 14.0) class="mt-2 h-36 w-full" role="img">
                {bars.iter().enumerate().map(|(i, b)| {
                    let bh = (b.water_ml as f64 / max as f64) * h;
                    let x = i as f64 * w;
                    let title = format!("{}:00 — {:.1} L", b.hour, b.water_ml as f64 / 1000.0);
                    view! {
                        <g>
                            <title>{title}</title>
                            <rect x=x + gap / 2.0 y=h - bh width=w - gap height=bh.max(0.5) class="fill-indigo-500"/>
                            {(i % 3 == 0).then(|| view! { <text x=x + w / 2.0 y=h + 12.0 text-anchor="middle" class="fill-slate-400 text-[9px]">{b.hour.clone()}</text> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

#[component]
fn CommandPanel(product_id: String, id: i64, on_sent: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let volume = RwSignal::new("250".to_owned());
    let order = RwSignal::new("1".to_owned());
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let send = Action::new(move |input: &NewCommand| {
        let (pid, input) = (product_id.clone(), input.clone());
        async move { send_command(pid, id, input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            on_sent.run(());
        }
    });
    let dispatch = move |kind: CommandKind, params: serde_json::Value| {
        send.dispatch(NewCommand { kind, params, timeout: None });
    };
    let number =
        |s: String| s.trim().parse::<i64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::String(s));
    let button = "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50";
    let input = "w-24 rounded-md border border-slate-300 px-2 py-1 text-sm";
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="device-command-panel">
            <h2 class="text-lg font-semibold">{move || t().cmd_title}</h2>
            <div class="mt-3 flex flex-wrap gap-2">
                <button class=button data-testid="cmd-lock" on:click=move |_| dispatch(CommandKind::Lock, serde_json::json!({}))>{move || t().cmd_lock}</button>
                <button class=button data-testid="cmd-unlock" on:click=move |_| dispatch(CommandKind::Unlock, serde_json::json!({}))>{move || t().cmd_unlock}</button>
            </div>
            <div class="mt-3 flex flex-wrap items-center gap-2">
                <label class="text-sm text-slate-600">{move || t().cmd_volume}
                    <input class=format!("{input} ml-2") type="number" min="1" max="20000" data-testid="cmd-volume" prop:value=volume on:input=move |ev| volume.set(event_target_value(&ev))/>
                </label>
                <button class=button data-testid="cmd-dispense" on:click=move |_| dispatch(CommandKind::Dispense, serde_json::json!({ "volume_ml": number(volume.get()) }))>{move || t().cmd_dispense}</button>
            </div>
            <div class="mt-3 flex flex-wrap items-center gap-2">
                <label class="text-sm text-slate-600">{move || t().cmd_filter_order}
                    <input class=format!("{input} ml-2") type="number" min="1" max="16" data-testid="cmd-filter" prop:value=order on:input=move |ev| order.set(event_target_value(&ev))/>
                </label>
                <button class=button data-testid="cmd-reset-filter" on:click=move |_| dispatch(CommandKind::ResetFilter, serde_json::json!({ "order": number(order.get()) }))>{move || t().cmd_reset_filter}</button>
            </div>
            <div class="mt-3 flex flex-wrap items-center gap-2">
                <input class=input placeholder=move || t().cmd_key data-testid="cmd-key" prop:value=key on:input=move |ev| key.set(event_target_value(&ev))/>
                <input class=input placeholder=move || t().cmd_value data-testid="cmd-value" prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
                <button class=button data-testid="cmd-set-param" on:click=move |_| dispatch(CommandKind::SetParam, serde_json::json!({ "key": key.get().trim(), "value": number(value.get()) }))>{move || t().cmd_set_param}</button>
            </div>
            {move || send.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
        </section>
    }
}

#[component]
fn CommandHistory(commands: Resource<Result<Vec<Command>, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <h2 class="text-lg font-semibold">{move || t().cmd_history}</h2>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match commands.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-2 text-sm text-slate-500">{move || t().cmd_none}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-2 divide-y divide-slate-100 text-sm">
                            {list.into_iter().map(|c| {
                                let when = c.create_time.get(11..19).unwrap_or_default().to_owned();
                                let (kind, status) = (c.kind, c.status);
                                let tone = match status {
                                    crate::model::telemetry::CommandStatus::Acked => "text-emerald-700",
                                    crate::model::telemetry::CommandStatus::Failed | crate::model::telemetry::CommandStatus::Timeout => "text-rose-700",
                                    _ => "text-amber-700",
                                };
                                let params = match &c.params {
                                    serde_json::Value::Object(o) if !o.is_empty() => o.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "),
                                    _ => String::new(),
                                };
                                view! {
                                    <li class="flex flex-wrap items-baseline justify-between gap-2 py-1.5" data-testid="command-row" data-status=status.as_str()>
                                        <span><span class="font-medium">{move || t().command_kind(kind)}</span> " " <span class="text-slate-500">{params}</span></span>
                                        <span class=tone>{move || t().command_status(status)} {(!c.result.is_empty()).then(|| format!(" — {}", c.result))}</span>
                                        <span class="text-xs text-slate-400">{when}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConnectionPanel(credentials: Resource<Result<Option<Credentials>, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reveal = RwSignal::new(false);
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="device-connection">
            <h2 class="text-lg font-semibold">{move || t().connection_title}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match credentials.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(c)) => {
                            let password = c.password.clone();
                            let broker = if c.broker.is_empty() { None } else { Some(c.broker.clone()) };
                            view! {
                                <dl class="mt-3 space-y-1 break-all font-mono text-xs">
                                    <div><dt class="inline text-slate-500">"broker: "</dt><dd class="inline" data-testid="broker">{move || broker.clone().unwrap_or_else(|| t().broker_off.to_owned())}</dd></div>
                                    <div><dt class="inline text-slate-500">"client id / username: "</dt><dd class="inline">{c.username.clone()}</dd></div>
                                    <div><dt class="inline text-slate-500">"password: "</dt><dd class="inline">
                                        {move || if reveal.get() { password.clone() } else { "••••••••".to_owned() }}
                                        " " <button class="text-indigo-600 hover:underline" on:click=move |_| reveal.update(|r| *r = !*r)>{move || t().show_password}</button>
                                    </dd></div>
                                    <div><dt class="inline text-slate-500">"publish: "</dt><dd class="inline">{c.telemetry_topic.clone()} ", " {c.state_topic.clone()} ", " {c.ack_topic.clone()}</dd></div>
                                    <div><dt class="inline text-slate-500">"subscribe: "</dt><dd class="inline">{c.command_topic.clone()}</dd></div>
                                </dl>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

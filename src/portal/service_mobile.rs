//! The mobile site's service pages (`/m/{vendor code}/…`): my devices (bind by serial, each
//! device's filter life, lease and renewal, sharing, unbinding, reporting a fault), my tickets
//! (rate the done ones), and for service engineers their own sign-in and jobs (accept, wait,
//! resume, finish with a note and, for an install, the serial of the device put in).

use leptos::prelude::*;
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_navigate, use_params_map},
};
use serde_json::{Map, Value};

use crate::{
    components::{record::text, ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        in_service::ServiceDevice,
        list::ListRequest,
        ticket::{NewTicket, TicketStatus, TicketType},
    },
    portal::{
        mobile::{button_class, load_storefront, vendor_code, Frame},
        partner::needs_sign_in,
        service::{
            device_in_service, list_in_service, list_tickets, status_of, type_of, DeviceChange, FilterBars, LeaseView,
            RateTicket, TicketMove, TicketStep,
        },
        shop::MobileTabs,
    },
};

/// Renews the lease of the signed-in user's device with the plan it was rented on: a new
/// order (rent only) to the same receiver; answers its id, to pay on its page.
#[server(prefix = "/fn", endpoint = "/m_renew", input = leptos::server_fn::codec::Json)]
pub async fn renew_device(serial: String) -> Result<String, ApiError> {
    use crate::server::{fns, service::order};
    let (ctx, principal) = fns::caller().await?;
    order::renew_lease(&ctx, &principal, &serial).await.map_err(fns::refuse)
}

/// An engineer signs in to the vendor's mobile site and goes to its jobs.
#[server(prefix = "/fn", endpoint = "/m_engineer_login", input = leptos::server_fn::codec::Json)]
pub async fn engineer_sign_in(code: String, mobile: String, password: String) -> Result<(), ApiError> {
    use crate::server::{
        auth::{token::Channel, web},
        fns,
        secret::Secret,
        service::{login, vendor},
    };
    let ctx = fns::ctx()?;
    let client = fns::client_addr().await?;
    let vid = vendor::storefront(&ctx, &code).await.map_err(fns::refuse)?.vid;
    let login = login::engineer_login(&ctx, &vid, &mobile, &Secret::new(password), &client, Channel::Web)
        .await
        .map_err(fns::refuse)?;
    let session = fns::session().await?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect(&format!("/m/{code}/engineer/tickets"));
    Ok(())
}

fn refused(e: ApiError, to: String) -> AnyView {
    if needs_sign_in(&e) {
        view! { <Redirect path=to/> }.into_any()
    } else {
        view! { <ErrorNote error=e/> }.into_any()
    }
}

/// `/m/{code}/devices`: my devices and those shared with me; bind one by its serial.
#[component]
pub fn MobileDevices() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let devices = Resource::new(move || reload.get(), |_| list_in_service(ListRequest::paged(0, 100)));
    let bind = ServerAction::<crate::portal::service::DeviceAct>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = bind.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let serial = RwSignal::new(String::new());
    let (c1, c2) = (code.clone(), code.clone());
    view! {
        {crate::components::page_title(|t| t.service.my_devices.to_owned())}
        <Frame store=store>
            <div class="mt-2 flex items-center">
                <h1 class="text-2xl font-bold">{move || t().service.my_devices}</h1>
                <A href=move || format!("/m/{}/tickets", c1()) attr:class="ml-auto text-sm text-emerald-700" attr:data-testid="m-my-tickets">{move || t().service.my_tickets}</A>
            </div>
            <form class="mt-4 flex items-end gap-2" data-testid="m-bind" on:submit=move |ev| {
                ev.prevent_default();
                bind.dispatch(crate::portal::service::DeviceAct { serial: serial.get(), act: DeviceChange::Bind, mobile: String::new() });
            }>
                <div class="flex-1"><TextField label=Signal::derive(move || t().service.serial.to_string()) value=serial name="serial"/></div>
                <button type="submit" class="h-10 rounded-md bg-emerald-600 px-4 text-sm font-medium text-white disabled:opacity-60" disabled=move || bind.pending().get()>{move || t().service.bind}</button>
            </form>
            {move || bind.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
            <Transition fallback=|| ()>
                {move || {
                    let c2 = c2.clone();
                    Suspend::new(async move {
                        match devices.await {
                            Ok((_, list)) if list.is_empty() => view! { <p class="mt-6 text-slate-500">{move || t().service.no_devices}</p> }.into_any(),
                            Ok((_, list)) => view! {
                                <ul class="mt-4 space-y-2" data-testid="m-devices">
                                    {list.into_iter().map(|d| view! { <DeviceCard d=d/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => refused(e, format!("/m/{}", c2())),
                        }
                    })
                }}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

#[component]
fn DeviceCard(d: ServiceDevice) -> impl IntoView {
    let i18n = use_i18n();
    let code = vendor_code();
    let state = d.service.state;
    let serial = d.device_id.clone();
    let (shown, attr) = (d.device_id.clone(), d.device_id.clone());
    let title = if d.name.is_empty() { d.model.clone() } else { d.name.clone() };
    let lowest = d.statistics.filters.iter().map(|f| f.remaining).min();
    view! {
        <li data-testid="m-device" data-serial=attr>
            <A href=move || format!("/m/{}/devices/{serial}", code()) attr:class="block rounded-xl border border-slate-200 p-3">
                <div class="flex justify-between text-sm">
                    <span class="font-mono">{shown}</span>
                    <span class="text-emerald-700">{move || i18n.t().service.service_state(state)}</span>
                </div>
                <p class="mt-1 text-sm">{title}</p>
                {lowest.map(|l| view! { <p class="text-xs text-slate-500">{move || format!("{} {l}%", i18n.t().service.remaining)}</p> })}
            </A>
        </li>
    }
}

/// `/m/{code}/devices/{serial}`: one of my devices — lease and renewal, filter life, sharing
/// (the owner), unbinding (the owner), reporting a fault.
#[component]
pub fn MobileDevice() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let device = Resource::new(move || (serial(), reload.get()), |(s, _)| device_in_service(s));
    let me = Resource::new(|| (), |_| crate::portal::mobile::me());
    let c = code.clone();
    view! {
        {crate::components::page_title(|t| t.service.device.to_owned())}
        <Frame store=store>
            <A href=move || format!("/m/{}/devices", c()) attr:class="text-sm text-emerald-700">{move || t().service.my_devices}</A>
            <Transition fallback=|| ()>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                        match (device.await, me.await) {
                            (Ok(d), Ok(me)) => {
                                let owner = Some(d.user_id.as_str()) == me.get("uid").and_then(Value::as_str);
                                view! { <DeviceView d=d owner=owner reload=reload/> }.into_any()
                            }
                            (Err(e), _) | (_, Err(e)) => refused(e, format!("/m/{}", code())),
                        }
                    })
                }}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

#[component]
fn DeviceView(d: ServiceDevice, owner: bool, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let navigate = use_navigate();
    let act = ServerAction::<crate::portal::service::DeviceAct>::new();
    let renew = ServerAction::<RenewDevice>::new();
    let report = ServerAction::<crate::portal::service::OpenTicket>::new();
    let serial = StoredValue::new(d.device_id.clone());
    let c = code.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = act.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = renew.value().get() {
            navigate(&format!("/m/{}/orders/{id}", c()), Default::default());
        }
    });
    let c2 = code.clone();
    let navigate2 = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = report.value().get() {
            navigate2(&format!("/m/{}/tickets", c2()), Default::default());
        }
    });
    let (guest, detail) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let rented = d.service.lease.as_ref().is_some_and(|l| l.state != 3);
    let guests = d.user_share.clone();
    let state = d.service.state;
    view! {
        <div class="mt-2 flex items-center gap-2">
            <h1 class="font-mono text-xl font-bold" data-testid="m-device-serial">{d.device_id.clone()}</h1>
            <span class="ml-auto text-sm text-emerald-700" data-testid="m-device-state">{move || t().service.service_state(state)}</span>
        </div>
        {(!owner).then(|| view! { <p class="text-xs text-slate-500" data-testid="m-guest">{move || t().service.guest}</p> })}
        <section class="mt-4 rounded-xl border border-slate-200 p-3">
            <h2 class="mb-2 font-semibold">{move || t().service.filters}</h2>
            <FilterBars device=d.clone()/>
        </section>
        <section class="mt-3 rounded-xl border border-slate-200 p-3">
            <h2 class="mb-2 font-semibold">{move || t().service.lease}</h2>
            <LeaseView device=d.clone()/>
            {(owner && rented).then(|| view! {
                <button type="button" class=button_class() data-testid="m-renew" disabled=move || renew.pending().get()
                    on:click=move |_| { renew.dispatch(RenewDevice { serial: serial.get_value() }); }>{move || t().service.renew}</button>
            })}
            {move || renew.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
        </section>
        {owner.then(|| view! {
            <section class="mt-3 rounded-xl border border-slate-200 p-3" data-testid="m-share">
                <h2 class="mb-2 font-semibold">{move || t().service.guests}</h2>
                <ul class="mb-2 space-y-1 text-sm">
                    {guests.into_iter().map(|uid| view! { <li class="font-mono text-xs" data-testid="m-guest-uid">{uid}</li> }).collect_view()}
                </ul>
                <form class="flex items-end gap-2" on:submit=move |ev| {
                    ev.prevent_default();
                    act.dispatch(crate::portal::service::DeviceAct { serial: serial.get_value(), act: DeviceChange::Share, mobile: guest.get() });
                }>
                    <div class="flex-1"><TextField label=Signal::derive(move || t().service.share_mobile.to_string()) value=guest name="guest" kind="tel"/></div>
                    <button type="submit" class="h-10 rounded-md bg-emerald-600 px-4 text-sm text-white" data-testid="m-share-submit">{move || t().service.share}</button>
                </form>
            </section>
        })}
        {owner.then(|| view! {
        <section class="mt-3 rounded-xl border border-slate-200 p-3" data-testid="m-report">
            <h2 class="mb-2 font-semibold">{move || t().service.report_fault}</h2>
            <form class="space-y-2" on:submit=move |ev| {
                ev.prevent_default();
                report.dispatch(crate::portal::service::OpenTicket { input: NewTicket {
                    kind: TicketType::Fault.code(), device_id: serial.get_value(), detail: detail.get(), ..NewTicket::default()
                }});
            }>
                <TextField label=Signal::derive(move || t().service.fault_detail.to_string()) value=detail name="detail"/>
                <button type="submit" class=button_class() data-testid="m-report-submit" disabled=move || report.pending().get()>{move || t().service.report_fault}</button>
            </form>
            {move || report.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
        </section>
        })}
        {owner.then(|| view! {
            <button type="button" class="mt-4 w-full rounded-md border border-red-300 py-2 text-sm text-red-700" data-testid="m-unbind"
                on:click=move |_| { act.dispatch(crate::portal::service::DeviceAct { serial: serial.get_value(), act: DeviceChange::Unbind, mobile: String::new() }); }>
                {move || t().service.unbind}
            </button>
        })}
        {move || act.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
    }
}

/// `/m/{code}/tickets`: my tickets, newest first; a done one can be rated once.
#[component]
pub fn MobileTickets() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let tickets = Resource::new(move || reload.get(), |_| list_tickets(ListRequest::paged(0, 50)));
    view! {
        {crate::components::page_title(|t| t.service.my_tickets.to_owned())}
        <Frame store=store>
            <h1 class="mt-2 text-2xl font-bold">{move || t().service.my_tickets}</h1>
            <Transition fallback=|| ()>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                        match tickets.await {
                            Ok(p) if p.list.is_empty() => view! { <p class="mt-6 text-slate-500">{move || t().service.no_tickets}</p> }.into_any(),
                            Ok(p) => view! {
                                <ul class="mt-4 space-y-2" data-testid="m-tickets">
                                    {p.list.into_iter().map(|r| view! { <TicketCard r=r reload=reload engineer=false/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => refused(e, format!("/m/{}", code())),
                        }
                    })
                }}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

/// A ticket on the phone: for its user, rating once done; for its engineer, the next step.
#[component]
fn TicketCard(r: Map<String, Value>, reload: RwSignal<u32>, engineer: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = StoredValue::new(text(&r, "ticket_id"));
    let (status, kind) = (status_of(&r), type_of(&r));
    let rated = r.get("rate_value").and_then(Value::as_i64);
    let step = ServerAction::<TicketStep>::new();
    let rate = ServerAction::<RateTicket>::new();
    Effect::new(move |_| {
        if matches!(step.value().get(), Some(Ok(()))) || matches!(rate.value().get(), Some(Ok(()))) {
            reload.update(|n| *n += 1);
        }
    });
    let (note, serial, stars, comment) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(5i64), RwSignal::new(String::new()));
    let needs_serial = kind == Some(TicketType::Install) && text(&r, "device_id").is_empty();
    let run = move |s: TicketMove| {
        step.dispatch(TicketStep {
            ticket_id: id.get_value(),
            step: s,
            note: note.get_untracked(),
            engineer_id: None,
            mode: String::new(),
            device_id: serial.get_untracked(),
        });
    };
    let small = "rounded-md bg-emerald-600 px-3 py-1 text-sm text-white disabled:opacity-60";
    view! {
        <li class="rounded-xl border border-slate-200 p-3" data-testid="m-ticket" data-ticket=id.get_value() data-status=status.map_or(-1, TicketStatus::code)>
            <div class="flex justify-between text-sm">
                <span class="font-medium">{move || kind.map_or("—", |k| t().service.kind(k))}</span>
                <span class="text-emerald-700" data-testid="m-ticket-status">{move || status.map_or("—", |s| t().service.status(s))}</span>
            </div>
            <p class="font-mono text-xs text-slate-500">{id.get_value()}</p>
            <p class="mt-1 text-sm">{text(&r, "detail")}</p>
            {(!text(&r, "address").is_empty()).then(|| view! { <p class="text-xs text-slate-500">{text(&r, "address")}</p> })}
            {(engineer && status == Some(TicketStatus::Dispatched)).then(|| view! {
                <button type="button" class=small data-testid="m-accept" disabled=move || step.pending().get() on:click=move |_| run(TicketMove::Accept)>{move || t().service.accept}</button>
            })}
            {(engineer && status == Some(TicketStatus::Awaiting)).then(|| view! {
                <button type="button" class=small data-testid="m-resume" disabled=move || step.pending().get() on:click=move |_| run(TicketMove::Resume)>{move || t().service.resume}</button>
            })}
            {(engineer && status == Some(TicketStatus::Processing)).then(|| view! {
                <form class="mt-2 space-y-2" data-testid="m-finish" on:submit=move |ev| { ev.prevent_default(); run(TicketMove::Finish); }>
                    {needs_serial.then(|| view! { <TextField label=Signal::derive(move || t().service.installed_serial.to_string()) value=serial name="serial"/> })}
                    <TextField label=Signal::derive(move || t().service.note.to_string()) value=note name="note"/>
                    <div class="flex gap-2">
                        <button type="submit" class=small data-testid="m-finish-submit" disabled=move || step.pending().get()>{move || t().service.finish}</button>
                        <button type="button" class="rounded-md border border-slate-300 px-3 py-1 text-sm" data-testid="m-wait" on:click=move |_| run(TicketMove::Wait)>{move || t().service.wait}</button>
                    </div>
                </form>
            })}
            {(!engineer && status == Some(TicketStatus::Done) && rated.is_none()).then(|| view! {
                <form class="mt-2 space-y-2" data-testid="m-rate" on:submit=move |ev| {
                    ev.prevent_default();
                    rate.dispatch(RateTicket { ticket_id: id.get_value(), value: stars.get(), detail: comment.get() });
                }>
                    <div class="flex gap-1">
                        {(1..=5).map(|n| view! {
                            <button type="button" data-testid="m-star" class=move || { if stars.get() >= n { "text-2xl text-amber-500" } else { "text-2xl text-slate-300" } }
                                on:click=move |_| stars.set(n)>"★"</button>
                        }).collect_view()}
                    </div>
                    <TextField label=Signal::derive(move || t().service.rate_comment.to_string()) value=comment name="comment"/>
                    <button type="submit" class=small data-testid="m-rate-submit" disabled=move || rate.pending().get()>{move || t().service.rate}</button>
                </form>
            })}
            {rated.map(|v| view! { <p class="mt-1 text-sm text-amber-600" data-testid="m-rated">{format!("{} {}", "★".repeat(v.clamp(0, 5) as usize), i18n.t().service.rated)}</p> })}
            {move || step.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            {move || rate.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
        </li>
    }
}

/// `/m/{code}/engineer`: an engineer signs in.
#[component]
pub fn MobileEngineerSignIn() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let (mobile, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let login = ServerAction::<EngineerSignIn>::new();
    view! {
        {crate::components::page_title(|t| t.service.engineer_sign_in.to_owned())}
        <Frame store=store>
            <h1 class="mt-6 text-2xl font-bold">{move || t().service.engineer_sign_in}</h1>
            <form class="mt-6 space-y-4" data-testid="m-engineer-sign-in" on:submit=move |ev| {
                ev.prevent_default();
                login.dispatch(EngineerSignIn { code: code(), mobile: mobile.get(), password: password.get() });
            }>
                <TextField label=Signal::derive(move || t().field_label("engineer", "mobile").to_string()) value=mobile name="mobile" kind="tel"/>
                <TextField label=Signal::derive(move || t().password.to_string()) value=password name="password" kind="password"/>
                {move || login.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class=button_class() disabled=move || login.pending().get()>{move || t().log_in}</button>
            </form>
        </Frame>
    }
}

/// `/m/{code}/engineer/tickets`: the jobs dispatched to the signed-in engineer.
#[component]
pub fn MobileEngineerTickets() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let tickets = Resource::new(
        move || reload.get(),
        |_| list_tickets(ListRequest::paged(0, 50).with_condition("status", "$ne", 0)),
    );
    view! {
        {crate::components::page_title(|t| t.service.engineer_tickets.to_owned())}
        <Frame store=store>
            <h1 class="mt-2 text-2xl font-bold">{move || t().service.engineer_tickets}</h1>
            <Transition fallback=|| ()>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                        match tickets.await {
                            Ok(p) if p.list.is_empty() => view! { <p class="mt-6 text-slate-500">{move || t().service.no_tickets}</p> }.into_any(),
                            Ok(p) => view! {
                                <ul class="mt-4 space-y-2" data-testid="m-engineer-tickets">
                                    {p.list.into_iter().map(|r| view! { <TicketCard r=r reload=reload engineer=true/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => refused(e, format!("/m/{}/engineer", code())),
                        }
                    })
                }}
            </Transition>
        </Frame>
    }
}

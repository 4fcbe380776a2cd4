//! The mobile site's shop (`/m/{vendor code}/…`): what the vendor has on sale, a merchandise's
//! page (quantity, a rent plan for a rental, the receiver) that orders and goes to pay, my orders
//! (pay, cancel, confirm receipt, ask to return), and my commission (balances, my referral link,
//! withdraw). Every call is a server function over the same services `/api` uses; the caller is
//! the signed-in user, so it sees and changes only its own.

use leptos::prelude::*;
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_navigate, use_params_map},
};
use serde_json::{Map, Value};

use crate::{
    components::{ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        merchandise::{billing, Merchandise, Rent, Resources},
        money::yuan,
        order::{Delivery, NewOrder, OrderState, PayAt, Receiver, Wanted},
    },
    portal::{
        commission::{commission_summary, SummaryCards, WithdrawForm, WithdrawalsTable},
        dealer::load_promotion,
        mall::{get_merchandise, list_merchandise},
        mobile::{button_class, load_storefront, me, vendor_code, Frame},
        orders::{
            advance_order, create_order, get_order, list_orders, order_state, pay_order, timeline, totals, OrderLines,
            OrderStep,
        },
        partner::needs_sign_in,
    },
};

/// The tabs under every signed-in page of the mobile site.
#[component]
pub fn MobileTabs() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let tab = move |path: &'static str, label: fn(&crate::i18n::Texts) -> &'static str, testid: &'static str| {
        let code = code.clone();
        view! {
            <A href=move || format!("/m/{}{path}", code()) attr:class="flex-1 py-3 text-center text-sm aria-[current=page]:font-semibold aria-[current=page]:text-emerald-700"
                attr:data-testid=testid>{move || label(t())}</A>
        }
    };
    view! {
        <nav class="sticky bottom-0 mt-8 flex border-t border-slate-200 bg-white" data-testid="m-tabs">
            {tab("/shop", |t| t.shop.shop, "tab-shop")}
            {tab("/orders", |t| t.shop.my_orders, "tab-orders")}
            {tab("/devices", |t| t.service.my_devices, "tab-devices")}
            {tab("/commission", |t| t.shop.my_commission, "tab-commission")}
            {tab("/me", |t| t.m_me, "tab-me")}
        </nav>
    }
}

/// A refusal on a signed-in page: not signed in goes to the sign-in page, anything else shows.
fn refused(e: ApiError) -> AnyView {
    if needs_sign_in(&e) {
        view! { <Redirect path=format!("/m/{}", vendor_code()())/> }.into_any()
    } else {
        view! { <ErrorNote error=e/> }.into_any()
    }
}

fn images(m: &Map<String, Value>) -> Resources {
    m.get("resource").cloned().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

/// `/m/{code}/shop`: what is on sale, in the vendor's order.
#[component]
pub fn MobileShop() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let goods = Resource::new(|| (), |_| list_merchandise(ListRequest::paged(0, 100)));
    view! {
        {crate::components::page_title(|t| t.shop.shop.to_owned())}
        <Frame store=store>
            <h1 class="mt-2 text-2xl font-bold">{move || t().shop.shop}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match goods.await {
                        Ok(Page { list, .. }) if list.is_empty() => view! { <p class="mt-6 text-slate-500">{move || t().shop.nothing_on_sale}</p> }.into_any(),
                        Ok(Page { list, .. }) => view! {
                            <ul class="mt-4 grid grid-cols-2 gap-3" data-testid="m-goods">
                                {list.into_iter().map(|m| view! { <GoodsCard m=m/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => refused(e),
                    }
                })}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

#[component]
fn GoodsCard(m: Map<String, Value>) -> impl IntoView {
    let code = vendor_code();
    let id = m.get("prod_id").and_then(Value::as_str).unwrap_or("").to_owned();
    let name = m.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
    let price = m.get("price").and_then(Value::as_i64).unwrap_or(0);
    let rental = billing::is_rental(m.get("billing").and_then(Value::as_i64).unwrap_or(0));
    let picture = images(&m).prev_res;
    view! {
        <li class="overflow-hidden rounded-xl border border-slate-200" data-testid="m-goods-item">
            <A href=move || format!("/m/{}/shop/{id}", code()) attr:class="block">
                {(!picture.is_empty()).then(|| view! { <img src=picture alt="" class="aspect-square w-full object-cover"/> })}
                <div class="p-2">
                    <p class="truncate font-medium" data-testid="m-goods-name">{name}</p>
                    <p class="text-sm text-emerald-700">{if rental { String::new() } else { format!("¥{}", yuan(price)) }}</p>
                </div>
            </A>
        </li>
    }
}

/// `/m/{code}/shop/{prod_id}`: one merchandise, and the order form.
#[component]
pub fn MobileProduct() -> impl IntoView {
    let code = vendor_code();
    let params = use_params_map();
    let store = Resource::new(code.clone(), load_storefront);
    let merchandise = Resource::new(move || params.read().get("prod_id").unwrap_or_default(), get_merchandise);
    let profile = Resource::new(|| (), |_| me());
    view! {
        {crate::components::page_title(|t| t.shop.shop.to_owned())}
        <Frame store=store>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match (merchandise.await, profile.await) {
                        (Ok(m), Ok(p)) => view! { <OrderForm m=m profile=p/> }.into_any(),
                        (Err(e), _) | (_, Err(e)) => refused(e),
                    }
                })}
            </Suspense>
            <MobileTabs/>
        </Frame>
    }
}

/// Sends the browser to the provider's pay page (it leads back to the order when done).
fn go_to(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

#[component]
fn OrderForm(m: Merchandise, profile: Map<String, Value>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let rent: Rent = serde_json::from_value(m.rent.clone()).unwrap_or_default();
    let rental = billing::is_rental(m.billing);
    let pictures: Resources = serde_json::from_value(m.resource.clone()).unwrap_or_default();
    let plans = rent.config.clone();
    let plan = RwSignal::new(plans.first().map(|p| p.key.clone()).unwrap_or_default());
    let quantity = RwSignal::new("1".to_owned());
    let text = |k: &str| RwSignal::new(profile.get(k).and_then(Value::as_str).unwrap_or("").to_owned());
    let (name, phone, area, address) = (text("name"), text("mobile"), text("area"), text("address"));
    let memo = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let prod_id = StoredValue::new(m.prod_id.clone());
    let navigate = use_navigate();
    let buy = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(qty) = quantity.get().trim().parse::<i64>() else {
            error.set(Some(ApiError::invalid("quantity", "a whole number from 1")));
            return;
        };
        let input = NewOrder {
            content: vec![Wanted {
                product_id: prod_id.get_value(),
                quantity: qty,
                plan: if rental { plan.get() } else { String::new() },
                device_id: String::new(),
            }],
            receiver: Receiver {
                name: name.get(),
                phone: phone.get(),
                area: area.get(),
                address: address.get(),
                zipcode: String::new(),
            },
            memo: memo.get(),
        };
        let code = code();
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            // Once the order exists, the user is taken to the provider's page, or — when paying
            // needs a scan or did not start — to the order's page, where Pay can be tried again:
            // never back to this form, whose Buy would make a second order.
            match create_order(input).await {
                Ok(order_id) => match pay_order(order_id.clone()).await {
                    Ok(PayAt::Page(url)) => go_to(&url),
                    Ok(PayAt::Scan { .. }) | Err(_) => {
                        navigate(&format!("/m/{code}/orders/{order_id}"), Default::default())
                    }
                },
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let label = move |k: &'static str| Signal::derive(move || t().field_label("receiver", k).to_string());
    view! {
        {(!pictures.prev_res.is_empty()).then(|| view! { <img src=pictures.prev_res.clone() alt="" class="w-full rounded-xl object-cover"/> })}
        <h1 class="mt-3 text-2xl font-bold" data-testid="m-product-name">{m.name.clone()}</h1>
        {(!rental).then(|| view! { <p class="text-xl text-emerald-700" data-testid="m-price">{format!("¥{}", yuan(m.price))}</p> })}
        <p class="mt-2 whitespace-pre-line text-sm text-slate-600">{m.desc.clone()}</p>
        {pictures.intro_res.iter().map(|src| view! { <img src=src.clone() alt="" class="mt-2 w-full rounded"/> }).collect_view()}
        <form class="mt-6 space-y-3" data-testid="m-order-form" on:submit=buy>
            {rental.then(|| view! {
                <fieldset class="space-y-2" data-testid="m-plans">
                    <legend class="text-sm font-medium">{move || t().shop.plan}</legend>
                    {plans.iter().map(|p| {
                        let key = p.key.clone();
                        let key2 = key.clone();
                        view! {
                            <label class="flex items-center justify-between rounded-md border border-slate-200 px-3 py-2 text-sm">
                                <span class="flex items-center gap-2">
                                    <input type="radio" name="plan" value=key.clone() data-testid="m-plan" prop:checked=move || plan.get() == key
                                        on:change=move |_| plan.set(key2.clone())/>
                                    {p.name.clone()}
                                </span>
                                <span>{format!("¥{}", yuan(p.value))}</span>
                            </label>
                        }
                    }).collect_view()}
                    <p class="text-xs text-slate-500">{move || format!("{}: ¥{}", t().shop.deposit, yuan(rent.deposit))}</p>
                </fieldset>
            })}
            <TextField label=Signal::derive(move || t().shop.quantity.to_string()) value=quantity name="quantity" kind="number"/>
            <h2 class="pt-2 font-semibold">{move || t().shop.receiver}</h2>
            <TextField label=label("name") value=name name="receiver_name"/>
            <TextField label=label("phone") value=phone name="receiver_phone" kind="tel"/>
            <TextField label=label("area") value=area name="receiver_area"/>
            <TextField label=label("address") value=address name="receiver_address"/>
            <TextField label=Signal::derive(move || t().field_label("order", "memo").to_string()) value=memo name="memo"/>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" data-testid="m-buy" class=button_class() disabled=move || busy.get()>
                {move || if rental { t().shop.rent_now } else { t().shop.buy_now }}
            </button>
        </form>
    }
}

/// `/m/{code}/orders`: my orders, newest first.
#[component]
pub fn MobileOrders() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let orders = Resource::new(|| (), |_| list_orders(ListRequest::paged(0, 50).with_order("create_tms", true)));
    view! {
        {crate::components::page_title(|t| t.shop.my_orders.to_owned())}
        <Frame store=store>
            <h1 class="mt-2 text-2xl font-bold">{move || t().shop.my_orders}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(Page { list, .. }) if list.is_empty() => view! { <p class="mt-6 text-slate-500">{move || t().shop.no_orders}</p> }.into_any(),
                        Ok(Page { list, .. }) => view! {
                            <ul class="mt-4 space-y-2" data-testid="m-orders">
                                {list.into_iter().map(|o| view! { <OrderCard o=o/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => refused(e),
                    }
                })}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

#[component]
fn OrderCard(o: Map<String, Value>) -> impl IntoView {
    let i18n = use_i18n();
    let code = vendor_code();
    let id = o.get("order_id").and_then(Value::as_str).unwrap_or("").to_owned();
    let state = order_state(&o);
    let total = o.get("total").and_then(Value::as_i64).unwrap_or(0);
    let names = o
        .get("content")
        .and_then(Value::as_array)
        .map(|lines| lines.iter().filter_map(|l| l.get("name").and_then(Value::as_str)).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let (id2, id3) = (id.clone(), id.clone());
    view! {
        <li data-testid="m-order" data-order=id3>
            <A href=move || format!("/m/{}/orders/{id2}", code()) attr:class="block rounded-xl border border-slate-200 p-3">
                <div class="flex justify-between text-sm">
                    <span class="font-mono text-xs text-slate-500">{id.clone()}</span>
                    <span class="font-medium text-emerald-700" data-testid="m-order-state">{move || state.map_or("—", |s| i18n.t().shop.order_state(s))}</span>
                </div>
                <p class="mt-1 truncate">{names}</p>
                <p class="text-right text-sm">{format!("¥{}", yuan(total))}</p>
            </A>
        </li>
    }
}

/// `/m/{code}/orders/{id}`: one of my orders and what I can do with it now.
#[component]
pub fn MobileOrder() -> impl IntoView {
    let code = vendor_code();
    let params = use_params_map();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let order =
        Resource::new(move || (params.read().get("id").unwrap_or_default(), reload.get()), |(id, _)| get_order(id));
    view! {
        {crate::components::page_title(|t| t.shop.order.to_owned())}
        <Frame store=store>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match order.await {
                        Ok(o) => view! { <MyOrder o=o reload=reload/> }.into_any(),
                        Err(e) => refused(e),
                    }
                })}
            </Transition>
            <MobileTabs/>
        </Frame>
    }
}

#[component]
fn MyOrder(o: Map<String, Value>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = StoredValue::new(o.get("order_id").and_then(Value::as_str).unwrap_or("").to_owned());
    let state = order_state(&o);
    let error = RwSignal::new(None::<ApiError>);
    let reason = RwSignal::new(String::new());
    // One step at a time: a second tap while one is on its way does nothing.
    let busy = RwSignal::new(false);
    let scan = RwSignal::new(None::<(String, String)>);
    let step = move |s: OrderStep| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let reason = reason.get();
        leptos::task::spawn_local(async move {
            match advance_order(id.get_value(), s, Delivery::default(), reason).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let pay = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match pay_order(id.get_value()).await {
                Ok(PayAt::Page(url)) => go_to(&url),
                Ok(PayAt::Scan { code_url, qr_svg }) => {
                    scan.set(Some((code_url, qr_svg)));
                    busy.set(false);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let tt = t();
    let rows = totals(&o, tt);
    let steps = timeline(&o, tt);
    let primary = button_class();
    let secondary = "h-11 w-full rounded-md border border-slate-300 text-base";
    view! {
        <h1 class="mt-2 text-xl font-bold">{move || t().shop.order}</h1>
        <p class="font-mono text-xs text-slate-500" data-testid="m-order-id">{id.get_value()}</p>
        <p class="mt-1 text-lg font-medium text-emerald-700" data-testid="m-order-state">{move || state.map_or("—", |s| t().shop.order_state(s))}</p>
        <div class="mt-4"><OrderLines order=o.clone()/></div>
        <dl class="mt-3 text-sm">
            {rows.into_iter().map(|(label, value)| view! {
                <div class="flex justify-between py-0.5"><dt class="text-slate-500">{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
        <ol class="mt-4 space-y-1 border-l-2 border-emerald-200 pl-3 text-sm" data-testid="m-order-timeline">
            {steps.into_iter().map(|(label, at)| view! { <li>{label} " · " <span class="text-slate-500">{at}</span></li> }).collect_view()}
        </ol>
        {move || error.get().map(|e| view! { <div class="mt-3"><ErrorNote error=e/></div> })}
        {move || scan.get().map(|(code_url, svg)| view! {
            <section class="mt-4 rounded-xl border border-emerald-200 p-3 text-center text-sm" data-testid="m-scan">
                <p class="font-medium">{move || t().shop.scan_to_pay}</p>
                <div class="mx-auto my-2 h-48 w-48" inner_html=svg></div>
                <p class="break-all font-mono text-xs text-slate-500">{code_url}</p>
                <button type="button" class="mt-2 text-emerald-700" data-testid="m-paid-check" on:click=move |_| reload.update(|n| *n += 1)>
                    {move || t().shop.paid_check}
                </button>
            </section>
        })}
        <div class="mt-6 space-y-3">
            {match state {
                Some(OrderState::Obligation) => view! {
                    <button type="button" class=primary data-testid="m-pay" disabled=move || busy.get() on:click=pay>{move || t().shop.pay}</button>
                    <button type="button" class=secondary data-testid="m-cancel" disabled=move || busy.get() on:click=move |_| step(OrderStep::Close)>{move || t().shop.cancel_order}</button>
                }.into_any(),
                Some(OrderState::Delivered) => view! {
                    <button type="button" class=primary data-testid="m-confirm" disabled=move || busy.get() on:click=move |_| step(OrderStep::Confirm)>{move || t().shop.confirm_receipt}</button>
                }.into_any(),
                Some(OrderState::Received) => view! {
                    <TextField label=Signal::derive(move || t().shop.return_reason.to_string()) value=reason name="reason"/>
                    <button type="button" class=secondary data-testid="m-return" disabled=move || busy.get() on:click=move |_| step(OrderStep::Return)>{move || t().shop.ask_return}</button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}

/// `/m/{code}/commission`: my balances, my referral link, withdraw, my withdrawals.
#[component]
pub fn MobileCommission() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let summary = Resource::new(move || reload.get(), |_| commission_summary());
    let link = Resource::new(|| (), |_| load_promotion());
    view! {
        {crate::components::page_title(|t| t.shop.my_commission.to_owned())}
        <Frame store=store>
            <h1 class="mt-2 text-2xl font-bold">{move || t().shop.my_commission}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(p) => view! {
                            <section class="mt-3 rounded-xl border border-emerald-200 bg-emerald-50 p-3 text-sm" data-testid="m-referral">
                                <p class="font-medium">{move || t().shop.my_referral_link}</p>
                                <p class="text-xs text-slate-600">{move || t().shop.referral_hint}</p>
                                <div class="mx-auto my-2 h-40 w-40" inner_html=p.qr_svg.clone()></div>
                                <a class="break-all font-mono text-xs text-emerald-700" data-testid="m-referral-link" href=p.link.clone()>{p.link.clone()}</a>
                            </section>
                        }.into_any(),
                        Err(e) => refused(e),
                    }
                })}
            </Transition>
            <div class="mt-4"><SummaryCards summary=summary/></div>
            <section class="mt-4"><WithdrawForm reload=reload mobile=true/></section>
            <h2 class="mb-2 mt-6 font-semibold">{move || t().shop.withdrawals}</h2>
            <WithdrawalsTable reload=reload/>
            <MobileTabs/>
        </Frame>
    }
}

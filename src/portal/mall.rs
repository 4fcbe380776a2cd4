//! The mall (商城) in the corp portal: the merchandise table and a page per merchandise that
//! edits everything AC-02 knows — prices, billing, installation and maintenance, pictures (each
//! uploaded to the file store), the rent deposit and plans, three commission levels, and the
//! specification's filters and flowmeter. The server functions are adapters over
//! `service::merchandise`, the same calls `/api/mall…` makes; the mobile shop reads through them
//! too (a user sees only what is on sale).

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::ConfirmButton,
        table::{rendered, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        merchandise::{
            billing, Commission, FilterSpec, Flowmeter, Merchandise, MerchandiseInput, MerchandiseState, Outlet, Rent,
            RentPlan, Resources, Specification,
        },
        money::{parse_yuan, yuan},
    },
};

#[server(prefix = "/fn", endpoint = "/merchandise", input = Json)]
pub async fn list_merchandise(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::merchandise};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Merchandise::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    merchandise::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/merchandise_get", input = Json)]
pub async fn get_merchandise(prod_id: String) -> Result<Merchandise, ApiError> {
    use crate::server::{fns, service::merchandise};
    let (ctx, principal) = fns::caller().await?;
    merchandise::get(&ctx, &principal, &prod_id).await.map_err(fns::refuse)
}

/// AC-02 when `prod_id` is empty, else AC-04.
#[server(prefix = "/fn", endpoint = "/merchandise_save", input = Json)]
pub async fn save_merchandise(prod_id: String, input: MerchandiseInput) -> Result<Merchandise, ApiError> {
    use crate::server::{fns, service::merchandise};
    let (ctx, principal) = fns::caller().await?;
    let saved = if prod_id.is_empty() {
        merchandise::create(&ctx, &principal, input).await
    } else {
        merchandise::edit(&ctx, &principal, &prod_id, input).await
    };
    saved.map_err(fns::refuse)
}

/// AC-07: a merchandise that orders name is refused (archive it instead).
#[server(prefix = "/fn", endpoint = "/merchandise_delete", input = Json)]
pub async fn delete_merchandise(prod_id: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::merchandise};
    let (ctx, principal) = fns::caller().await?;
    merchandise::delete(&ctx, &principal, &prod_id).await.map_err(fns::refuse)
}

pub const STATE_FILTER: Filter = Filter {
    key: "state",
    label: |t| t.status,
    options: &[(1, |t| t.shop.on_sale), (0, |t| t.shop.off_shelf), (2, |t| t.shop.archived)],
};

fn state_cell(v: &Value, t: &Texts) -> String {
    MerchandiseState::from_code(v.as_i64().unwrap_or(-1))
        .map_or_else(|| "—".into(), |s| t.shop.merchandise_state(s).into())
}

/// A fen amount as yuan.
pub fn money_cell(v: &Value, _: &Texts) -> String {
    v.as_i64().map_or_else(|| "—".into(), yuan)
}

fn billing_cell(v: &Value, t: &Texts) -> String {
    let bits = v.as_i64().unwrap_or(0);
    BILLING.iter().filter(|(bit, _)| bits & bit != 0).map(|(_, label)| label(t)).collect::<Vec<_>>().join(", ")
}

/// The billing schemes, bit and label.
const BILLING: [(i64, fn(&Texts) -> &'static str); 4] = [
    (billing::SALE, |t| t.shop.billing_sale),
    (billing::TIMED, |t| t.shop.billing_timed),
    (billing::METERED, |t| t.shop.billing_metered),
    (billing::VENDING, |t| t.shop.billing_vending),
];

fn columns() -> Vec<Column> {
    let mut cols = rendered(Column::all_of(&Merchandise::RESOURCE), "state", state_cell);
    for key in ["price", "orig_price", "freight", "install_cost", "maintain_cost"] {
        cols = rendered(cols, key, money_cell);
    }
    rendered(cols, "billing", billing_cell)
}

const HIDDEN: [&str; 12] = [
    "desc",
    "tags",
    "bonus",
    "orig_price",
    "install",
    "maintain",
    "install_cost",
    "maintain_cost",
    "vid",
    "create_tms",
    "sequence",
    "freight",
];

fn edit_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    let id = row.get("prod_id").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.edit;
    view! { <A href=format!("/corp/mall/{id}") attr:class="text-indigo-600 hover:underline" attr:data-testid="merchandise-link">{label}</A> }
        .into_any()
}

/// `/corp/mall`: the merchandise table.
#[component]
pub fn MallPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "name").keyed_by("prod_id").hiding(&HIDDEN);
    let page = Resource::new(move || state.request(), list_merchandise);
    view! {
        {crate::components::page_title(|t| t.shop.mall_title.to_owned())}
        <div class="mb-4 flex items-center justify-between">
            <h1 class="text-2xl font-bold">{move || t().shop.mall_title}</h1>
            <A href="/corp/mall/new" attr:class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700"
                attr:data-testid="new-merchandise">{move || t().shop.new_merchandise}</A>
        </div>
        <DataTable columns=cols state=state page=page actions=edit_link filters=vec![STATE_FILTER] testid="merchandise-table"/>
    }
}

/// `/corp/mall/{prod_id}` (`new`: a new one): the editor.
#[component]
pub fn MerchandiseEditPage() -> impl IntoView {
    let params = use_params_map();
    let prod_id = move || params.read().get("prod_id").unwrap_or_default();
    let loaded = Resource::new(prod_id, |id| async move {
        if id == "new" {
            Ok(None)
        } else {
            get_merchandise(id).await.map(Some)
        }
    });
    view! {
        {crate::components::page_title(|t| t.shop.merchandise.to_owned())}
        <A href="/corp/mall" attr:class="text-sm text-indigo-600 hover:underline">{move || use_i18n().t().shop.mall_title}</A>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(m) => view! { <Editor existing=m/> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A text signal holding `fen` as yuan.
fn money(fen: i64) -> RwSignal<String> {
    RwSignal::new(yuan(fen))
}

fn number(n: i64) -> RwSignal<String> {
    RwSignal::new(n.to_string())
}

/// What the editor's rows hold while typed: text, read when saved.
/// A row's identity in the editor's lists, so removing one row never shows another's text.
fn row_id() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Copy)]
struct PlanRow {
    id: u32,
    name: RwSignal<String>,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct FilterRow {
    id: u32,
    order: RwSignal<String>,
    name: RwSignal<String>,
    timer_mode: RwSignal<String>,
    lifetime: RwSignal<String>,
    worklife: RwSignal<String>,
}

/// One form's reading of what was typed: the first field that does not read stops the save and
/// says which field and why.
struct Reader {
    error: Option<String>,
}

impl Reader {
    fn fen(&mut self, field: &str, text: &str) -> i64 {
        match parse_yuan(text) {
            Ok(v) => v,
            Err(why) => {
                self.error.get_or_insert_with(|| format!("{field}: {why}"));
                0
            }
        }
    }

    fn int(&mut self, field: &str, text: &str) -> i64 {
        match text.trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                self.error.get_or_insert_with(|| format!("{field}: a whole number"));
                0
            }
        }
    }
}

#[component]
fn Editor(existing: Option<Merchandise>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let navigate = use_navigate();
    let is_new = existing.is_none();
    let m = existing.clone().unwrap_or_else(blank);
    let prod_id = StoredValue::new(m.prod_id.clone());
    let resources: Resources = serde_json::from_value(m.resource.clone()).unwrap_or_default();
    let rent: Rent = serde_json::from_value(m.rent.clone()).unwrap_or_default();
    let commis: Commission = serde_json::from_value(m.commis.clone()).unwrap_or_default();
    let spec: Specification = serde_json::from_value(m.specification.clone()).unwrap_or_default();

    let name = RwSignal::new(m.name.clone());
    let desc = RwSignal::new(m.desc.clone());
    let tags = RwSignal::new(m.tags.clone());
    let sequence = number(m.sequence);
    let state = RwSignal::new(m.state.code());
    let kind = RwSignal::new(m.r#type.code());
    let bonus = RwSignal::new(m.bonus);
    let (price, orig_price, freight) = (money(m.price), money(m.orig_price), money(m.freight));
    let bits = RwSignal::new(m.billing);
    let (install, maintain) = (RwSignal::new(m.install), RwSignal::new(m.maintain));
    let (install_cost, maintain_cost) = (money(m.install_cost), money(m.maintain_cost));
    let preview = RwSignal::new(resources.prev_res.clone());
    let intro = RwSignal::new(resources.intro_res.clone());
    let detail = RwSignal::new(resources.detail_res.clone());
    let deposit = money(rent.deposit);
    let plan_row = |p: &RentPlan| PlanRow {
        id: row_id(),
        name: RwSignal::new(p.name.clone()),
        key: RwSignal::new(p.key.clone()),
        value: money(p.value),
    };
    let plans = RwSignal::new(rent.config.iter().map(plan_row).collect::<Vec<_>>());
    let commission_on = RwSignal::new(commis.enabled);
    let level = |i: usize| number(commis.config.get(i).copied().unwrap_or(0));
    let levels = [level(0), level(1), level(2)];
    let filter_row = |f: &FilterSpec| FilterRow {
        id: row_id(),
        order: number(f.order),
        name: RwSignal::new(f.name.clone()),
        timer_mode: number(f.timer_mode),
        lifetime: number(f.lifetime),
        worklife: number(f.worklife),
    };
    let filters = RwSignal::new(spec.filters.iter().map(filter_row).collect::<Vec<_>>());
    let measure_mode = RwSignal::new(spec.flowmeter.measure_mode);
    let outlets = StoredValue::new(spec.flowmeter.config.clone());
    let spec_mode = spec.mode;

    let typed_error = RwSignal::new(None::<String>);
    let save = ServerAction::<SaveMerchandise>::new();
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(m)) = save.value().get() {
            saved.set(true);
            if prod_id.get_value().is_empty() {
                prod_id.set_value(m.prod_id.clone());
                navigate(&format!("/corp/mall/{}", m.prod_id), Default::default());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut r = Reader { error: None };
        let input = MerchandiseInput {
            state: Some(state.get()),
            kind: Some(kind.get()),
            name: Some(name.get()),
            desc: Some(desc.get()),
            tags: Some(tags.get()),
            sequence: Some(r.int("sequence", &sequence.get())),
            bonus: Some(bonus.get()),
            price: Some(r.fen("price", &price.get())),
            orig_price: Some(r.fen("orig_price", &orig_price.get())),
            freight: Some(r.fen("freight", &freight.get())),
            install: Some(install.get()),
            maintain: Some(maintain.get()),
            install_cost: Some(r.fen("install_cost", &install_cost.get())),
            maintain_cost: Some(r.fen("maintain_cost", &maintain_cost.get())),
            billing: Some(bits.get()),
            resource: Some(Resources { prev_res: preview.get(), intro_res: intro.get(), detail_res: detail.get() }),
            notify_url: None,
            rent: Some(Rent {
                deposit: r.fen("deposit", &deposit.get()),
                config: plans
                    .get()
                    .iter()
                    .map(|p| RentPlan { name: p.name.get(), key: p.key.get(), value: r.fen("plan", &p.value.get()) })
                    .collect(),
            }),
            commis: Some(Commission {
                enabled: commission_on.get(),
                config: levels.iter().map(|l| r.int("commission", &l.get())).collect(),
            }),
            specification: Some(Specification {
                mode: spec_mode,
                filters: filters
                    .get()
                    .iter()
                    .map(|f| FilterSpec {
                        order: r.int("order", &f.order.get()),
                        name: f.name.get(),
                        timer_mode: r.int("timer_mode", &f.timer_mode.get()),
                        lifetime: r.int("lifetime", &f.lifetime.get()),
                        worklife: r.int("worklife", &f.worklife.get()),
                    })
                    .collect(),
                flowmeter: Flowmeter { measure_mode: measure_mode.get(), config: outlets.get_value() },
            }),
        };
        typed_error.set(r.error.clone());
        if r.error.is_none() {
            save.dispatch(SaveMerchandise { prod_id: prod_id.get_value(), input });
        }
    };

    let remove = ServerAction::<DeleteMerchandise>::new();
    let navigate_away = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate_away("/corp/mall", Default::default());
        }
    });

    let label = move |key: &'static str| Signal::derive(move || t().field_label("merchandise", key).to_string());
    let check = |value: RwSignal<bool>, text: Signal<String>, testid: &'static str| {
        view! {
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" data-testid=testid prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>
                {move || text.get()}
            </label>
        }
    };
    view! {
        <form class="mt-3 space-y-6" data-testid="merchandise-editor" on:submit=submit>
            <div class="flex items-center justify-between">
                <h1 class="text-2xl font-bold">
                    {move || if is_new { t().shop.new_merchandise.to_owned() } else { name.get() }}
                </h1>
                <span class="font-mono text-xs text-slate-500" data-testid="prod-id">{move || prod_id.get_value()}</span>
            </div>
            <Section title=move || t().shop.basics>
                <div class="grid gap-3 md:grid-cols-2">
                    <TextField label=label("name") value=name name="name"/>
                    <TextField label=label("tags") value=tags name="tags"/>
                    <label class="block text-sm">
                        <span class="font-medium">{move || t().status}</span>
                        <select data-testid="merchandise-state" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
                            on:change=move |ev| state.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {[(1, MerchandiseState::OnSale), (0, MerchandiseState::Off), (2, MerchandiseState::Archived)].into_iter().map(|(code, s)| view! {
                                <option value=code.to_string() selected=move || state.get() == code>{move || t().shop.merchandise_state(s)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="block text-sm">
                        <span class="font-medium">{label("type")}</span>
                        <select data-testid="merchandise-type" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
                            on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(1))>
                            <option value="1" selected=move || kind.get() == 1>{move || t().shop.type_purchase}</option>
                            <option value="2" selected=move || kind.get() == 2>{move || t().shop.type_reservation}</option>
                        </select>
                    </label>
                    <TextField label=label("sequence") value=sequence name="sequence"/>
                    {check(bonus, label("bonus"), "merchandise-bonus")}
                </div>
                <label class="mt-3 block text-sm">
                    <span class="font-medium">{label("desc")}</span>
                    <textarea name="desc" rows="3" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
                        prop:value=move || desc.get() on:input=move |ev| desc.set(event_target_value(&ev))></textarea>
                </label>
            </Section>
            <Section title=move || t().shop.prices>
                <div class="grid gap-3 md:grid-cols-3">
                    <TextField label=label("price") value=price name="price"/>
                    <TextField label=label("orig_price") value=orig_price name="orig_price"/>
                    <TextField label=label("freight") value=freight name="freight"/>
                </div>
                <p class="mt-2 text-xs text-slate-500">{move || t().shop.yuan_hint}</p>
                <div class="mt-3 flex flex-wrap gap-4" data-testid="billing">
                    {BILLING.into_iter().map(|(bit, text)| view! {
                        <label class="flex items-center gap-2 text-sm">
                            <input type="checkbox" data-testid=format!("billing-{bit}") prop:checked=move || bits.get() & bit != 0
                                on:change=move |ev| { let on = event_target_checked(&ev); bits.update(|b| if on { *b |= bit } else { *b &= !bit }); }/>
                            {move || text(t())}
                        </label>
                    }).collect_view()}
                </div>
                <div class="mt-3 grid gap-3 md:grid-cols-2">
                    <div class="space-y-2">{check(install, label("install"), "merchandise-install")}<TextField label=label("install_cost") value=install_cost name="install_cost"/></div>
                    <div class="space-y-2">{check(maintain, label("maintain"), "merchandise-maintain")}<TextField label=label("maintain_cost") value=maintain_cost name="maintain_cost"/></div>
                </div>
            </Section>
            <Section title=move || t().shop.pictures>
                <div class="grid gap-4 md:grid-cols-3">
                    <ImageField label=Signal::derive(move || t().shop.preview_image.to_string()) url=preview testid="image-preview"/>
                    <ImageField label=Signal::derive(move || t().shop.detail_image.to_string()) url=detail testid="image-detail"/>
                    <IntroImages urls=intro/>
                </div>
            </Section>
            <Section title=move || t().shop.rent>
                <TextField label=Signal::derive(move || t().shop.deposit.to_string()) value=deposit name="deposit"/>
                <table class="mt-3 w-full text-sm" data-testid="rent-plans">
                    <thead class="text-left text-xs text-slate-500"><tr><th>{move || t().name}</th><th>{move || t().shop.plan_key}</th><th>{move || t().shop.plan_price}</th><th></th></tr></thead>
                    <tbody>
                        <For each=move || plans.get() key=|p| p.id let:p>
                            <tr>
                                <td class="pr-2"><RowInput value=p.name testid="plan-name"/></td>
                                <td class="pr-2"><RowInput value=p.key testid="plan-key" placeholder="30d / 500l"/></td>
                                <td class="pr-2"><RowInput value=p.value testid="plan-price"/></td>
                                <td><button type="button" class="text-red-600" on:click=move |_| plans.update(|v| v.retain(|x| x.id != p.id))>"×"</button></td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <button type="button" data-testid="add-plan" class="mt-2 text-sm text-indigo-600"
                    on:click=move |_| plans.update(|v| v.push(plan_row(&RentPlan::default())))>{move || t().shop.add_plan}</button>
                <p class="mt-1 text-xs text-slate-500">{move || t().shop.plan_hint}</p>
            </Section>
            <Section title=move || t().shop.commission>
                {check(commission_on, Signal::derive(move || t().shop.commission_enabled.to_string()), "commission-enabled")}
                <div class="mt-3 grid grid-cols-3 gap-3">
                    {levels.into_iter().enumerate().map(|(i, value)| view! {
                        <TextField label=Signal::derive(move || format!("{} {} (%)", t().shop.level, i + 1)) value=value name="level"/>
                    }).collect_view()}
                </div>
            </Section>
            <Section title=move || t().shop.specification>
                <table class="w-full text-sm" data-testid="filters">
                    <thead class="text-left text-xs text-slate-500"><tr>
                        <th>{move || t().shop.filter_order}</th><th>{move || t().name}</th><th>{move || t().shop.timer_mode}</th>
                        <th>{move || t().shop.lifetime}</th><th>{move || t().shop.worklife}</th><th></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || filters.get() key=|f| f.id let:f>
                            <tr>
                                <td class="pr-2"><RowInput value=f.order testid="filter-order"/></td>
                                <td class="pr-2"><RowInput value=f.name testid="filter-name"/></td>
                                <td class="pr-2">
                                    <select class="w-full rounded border border-slate-300 px-1 py-1" data-testid="filter-timer"
                                        on:change=move |ev| f.timer_mode.set(event_target_value(&ev))>
                                        {[(0, t().shop.timer_both), (1, t().shop.timer_power), (2, t().shop.timer_work)].into_iter().map(|(code, text)| view! {
                                            <option value=code.to_string() selected=move || f.timer_mode.get() == code.to_string()>{text}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td class="pr-2"><RowInput value=f.lifetime testid="filter-lifetime"/></td>
                                <td class="pr-2"><RowInput value=f.worklife testid="filter-worklife"/></td>
                                <td><button type="button" class="text-red-600" on:click=move |_| filters.update(|v| v.retain(|x| x.id != f.id))>"×"</button></td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <button type="button" data-testid="add-filter" class="mt-2 text-sm text-indigo-600"
                    on:click=move |_| filters.update(|v| {
                        let next = FilterSpec { order: v.len() as i64 + 1, ..FilterSpec::default() };
                        v.push(filter_row(&next));
                    })>{move || t().shop.add_filter}</button>
                <label class="mt-3 block text-sm">
                    <span class="font-medium">{move || t().shop.measure_mode}</span>
                    <select class="mt-1 rounded-md border border-slate-300 px-3 py-2" data-testid="measure-mode"
                        on:change=move |ev| measure_mode.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {[(0, t().shop.measure_device), (1, t().shop.measure_time), (2, t().shop.measure_volume)].into_iter().map(|(code, text)| view! {
                            <option value=code.to_string() selected=move || measure_mode.get() == code>{text}</option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="mt-1 text-xs text-slate-500">{move || outlets_text(&outlets.get_value())}</p>
            </Section>
            {move || typed_error.get().map(|e| view! { <ErrorNote error=ApiError::invalid("form", &e)/> })}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            <div class="flex items-center gap-3">
                <button type="submit" data-testid="save-merchandise" disabled=move || save.pending().get()
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">{move || t().save}</button>
                <Show when=move || saved.get()><span class="text-sm text-emerald-700" data-testid="saved">{move || t().saved}</span></Show>
                <Show when=move || !is_new>
                    <div class="ml-auto">
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().shop.delete_merchandise_confirm.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(DeleteMerchandise { prod_id: prod_id.get_value() }); })
                            testid="delete-merchandise" danger=true/>
                    </div>
                </Show>
            </div>
        </form>
    }
}

fn outlets_text(outlets: &[Outlet]) -> String {
    outlets.iter().map(|o| format!("{} ({}): {}", o.name, o.key, o.value)).collect::<Vec<_>>().join(" · ")
}

/// A new merchandise as the editor starts it: off the shelf, sold outright.
fn blank() -> Merchandise {
    Merchandise {
        prod_id: String::new(),
        state: MerchandiseState::Off,
        r#type: crate::model::merchandise::MerchandiseType::Purchase,
        name: String::new(),
        desc: String::new(),
        tags: String::new(),
        sequence: 0,
        bonus: false,
        price: 0,
        orig_price: 0,
        freight: 0,
        install: false,
        maintain: false,
        install_cost: 0,
        maintain_cost: 0,
        billing: billing::SALE,
        resource: Value::Null,
        notify_url: String::new(),
        rent: Value::Null,
        commis: Value::Null,
        specification: Value::Null,
        vid: String::new(),
        create_tms: String::new(),
        update_tms: String::new(),
    }
}

#[component]
fn Section(title: impl Fn() -> &'static str + Send + Sync + 'static, children: Children) -> impl IntoView {
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5">
            <h2 class="mb-3 font-semibold">{title}</h2>
            {children()}
        </section>
    }
}

#[component]
fn RowInput(
    value: RwSignal<String>,
    testid: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <input type="text" data-testid=testid placeholder=placeholder class="w-full rounded border border-slate-300 px-2 py-1"
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

/// One picture: its link, a thumbnail, and an upload button that puts the chosen file in the
/// file store and takes its link.
#[component]
fn ImageField(#[prop(into)] label: Signal<String>, url: RwSignal<String>, testid: &'static str) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    view! {
        <div class="space-y-2 text-sm" data-testid=testid>
            <span class="font-medium">{move || label.get()}</span>
            <Show when=move || !url.get().is_empty()>
                <img src=move || url.get() alt="" class="h-24 w-24 rounded border border-slate-200 object-cover" data-testid="thumbnail"/>
            </Show>
            <input type="text" class="w-full rounded border border-slate-300 px-2 py-1 text-xs" data-testid="image-url"
                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
            <UploadButton on_uploaded=Callback::new(move |link| url.set(link)) error=error busy=busy/>
        </div>
    }
}

/// The introduction pictures: a list, each removable, and an upload that adds one.
#[component]
fn IntroImages(urls: RwSignal<Vec<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    view! {
        <div class="space-y-2 text-sm" data-testid="image-intro">
            <span class="font-medium">{move || i18n.t().shop.intro_images}</span>
            <div class="flex flex-wrap gap-2">
                {move || urls.get().into_iter().enumerate().map(|(i, u)| view! {
                    <div class="relative">
                        <img src=u alt="" class="h-16 w-16 rounded border border-slate-200 object-cover" data-testid="thumbnail"/>
                        <button type="button" class="absolute -right-1 -top-1 rounded-full bg-white px-1 text-red-600 shadow"
                            on:click=move |_| urls.update(|v| { v.remove(i); })>"×"</button>
                    </div>
                }).collect_view()}
            </div>
            <UploadButton on_uploaded=Callback::new(move |link| urls.update(|v| v.push(link))) error=error busy=busy/>
        </div>
    }
}

#[component]
fn UploadButton(on_uploaded: Callback<String>, error: RwSignal<Option<String>>, busy: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
            if let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) {
                busy.set(true);
                error.set(None);
                leptos::task::spawn_local(async move {
                    match upload(&file).await {
                        Ok(link) => on_uploaded.run(link),
                        Err(e) => error.set(Some(e)),
                    }
                    busy.set(false);
                });
            }
            if let Some(input) = input {
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, on_uploaded);
    };
    view! {
        <label class="inline-block cursor-pointer rounded-md border border-slate-300 px-3 py-1 text-xs hover:bg-slate-50">
            {move || if busy.get() { i18n.t().shop.uploading } else { i18n.t().shop.upload }}
            <input type="file" accept="image/png,image/jpeg,image/webp,image/gif" class="sr-only" data-testid="image-file" on:change=chosen/>
        </label>
        {move || error.get().map(|e| view! { <p class="text-xs text-red-600" role="alert" data-testid="upload-error">{e}</p> })}
    }
}

/// Sends a picture to the file store (`POST /files`, the browser's session) and answers its
/// link, or what the server said was wrong.
#[cfg(feature = "hydrate")]
async fn upload(file: &web_sys::File) -> Result<String, String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    async fn send(file: &web_sys::File) -> Result<(u16, String), JsValue> {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", &file.type_())?;
        init.set_headers(&headers);
        init.set_body(file);
        let request = web_sys::Request::new_with_str_and_init("/files", &init)?;
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
        let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        Ok((response.status(), text))
    }
    let (status, text) = send(file).await.map_err(|e| format!("{e:?}"))?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match body.get("url").and_then(Value::as_str) {
        Some(url) if status < 300 => Ok(url.to_owned()),
        _ => Err(body.get("msg").or_else(|| body.get("message")).and_then(Value::as_str).unwrap_or(&text).to_owned()),
    }
}

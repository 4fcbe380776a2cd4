//! Devices in every portal: the server functions (adapters over `service::device`) and the
//! device table with its filter builder, which the corp's product page and the dealer's and
//! heavy buyer's Devices pages all use. Each principal's list is its own scope (the service
//! decides), so the same component shows a corp everything and a dealer exactly its devices.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::components::{Redirect, A};
use serde_json::{Map, Value};

use crate::{
    components::{
        filter::{BuilderField, FilterBuilder},
        table::{rendered, Column, DataTable, TableState},
        ErrorNote,
    },
    i18n::{use_i18n, Texts},
    model::{
        device::{Assignment, Device, DeviceEdit, DeviceRefs, NewDevice},
        error::ApiError,
        list::{ListRequest, Page},
        product::ProductBrief,
    },
    portal::organization_paths::organization_cell,
};

#[server(prefix = "/fn", endpoint = "/devices", input = Json)]
pub async fn list_devices(product_id: String, request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{
        fns,
        service::{device, entry},
    };
    let (ctx, principal) = fns::caller().await?;
    entry::require_module(&ctx, &principal, crate::model::entry::DEVICES).await.map_err(fns::refuse)?;
    let body = fns::list_body(&request)?;
    let mut page = device::list(&ctx, &principal, &product_id, &body).await.map_err(fns::refuse)?;
    // A key account reads its organizations by name.
    crate::portal::organization_paths::name_organizations(&ctx, &principal, &mut page, "organization_id")
        .await
        .map_err(fns::refuse)?;
    Ok(page)
}

/// The products whose devices the caller may list (its brand owner's catalogue).
#[server(prefix = "/fn", endpoint = "/device_products", input = Json)]
pub async fn device_products() -> Result<Vec<ProductBrief>, ApiError> {
    use crate::server::{fns, service::product};
    let (ctx, principal) = fns::caller().await?;
    product::catalogue(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_get", input = Json)]
pub async fn get_device(product_id: String, id: i64) -> Result<Device, ApiError> {
    use crate::server::{fns, service::device};
    let (ctx, principal) = fns::caller().await?;
    device::get(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_add", input = Json)]
pub async fn add_device(product_id: String, input: NewDevice) -> Result<Device, ApiError> {
    use crate::server::{fns, service::device};
    let (ctx, principal) = fns::caller().await?;
    device::create(&ctx, &principal, &product_id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_edit", input = Json)]
pub async fn edit_device(product_id: String, id: i64, input: DeviceEdit) -> Result<Device, ApiError> {
    use crate::server::{fns, service::device};
    let (ctx, principal) = fns::caller().await?;
    device::update(&ctx, &principal, &product_id, id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_delete", input = Json)]
pub async fn delete_device(product_id: String, id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::device};
    let (ctx, principal) = fns::caller().await?;
    device::delete(&ctx, &principal, &product_id, id).await.map_err(fns::refuse)
}

/// One chunk of an import (the page sends a file in chunks to show progress; each chunk is one
/// transaction, and MACs already there are skipped, so sending a chunk again is harmless).
#[server(prefix = "/fn", endpoint = "/device_import", input = Json)]
pub async fn import_devices(product_id: String, devices: Vec<NewDevice>) -> Result<DeviceRefs, ApiError> {
    use crate::{
        model::device::BatchEntry,
        server::{fns, service::device},
    };
    let (ctx, principal) = fns::caller().await?;
    let entries = devices.into_iter().map(BatchEntry::Device).collect();
    device::create_batch(&ctx, &principal, &product_id, entries).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/device_assign", input = Json)]
pub async fn assign_devices(product_id: String, ids: Vec<i64>, action: Assignment) -> Result<DeviceRefs, ApiError> {
    use crate::server::{fns, service::device};
    let (ctx, principal) = fns::caller().await?;
    device::assign_selected(&ctx, &principal, &product_id, &ids, action).await.map_err(fns::refuse)
}

/// Every device field as a column (from the declaration in `model::device`); [`DEFAULT_COLUMNS`]
/// are shown at first.
pub fn columns() -> Vec<Column> {
    rendered(Column::all_of(&Device::RESOURCE), "organization_id", organization_cell)
}

pub const DEFAULT_COLUMNS: [&str; 8] =
    ["id", "mac", "name", "is_online", "is_active", "dealer_scope", "heavy_buyer", "create_time"];

/// What the filter builder offers: every queryable device field, typed.
pub fn builder_fields() -> Vec<BuilderField> {
    BuilderField::all_of(&Device::RESOURCE)
}

/// A table state over the device columns, showing the default ones, newest first.
pub fn device_table_state() -> TableState {
    let state = TableState::new(&columns(), "mac");
    state.visible.set(DEFAULT_COLUMNS.to_vec());
    state.sort.set(Some(("create_time", true)));
    state
}

/// The list request behind the table: the table's, always with the fields a row's links need.
pub fn device_request(state: &TableState) -> ListRequest {
    let mut req = state.request();
    if let Some(fields) = req.filter.as_mut() {
        if !fields.iter().any(|f| f == "product_id") {
            fields.push("product_id".into());
        }
    }
    req
}

fn detail_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    let id = row.get("id").and_then(Value::as_i64).unwrap_or(0);
    let product = row.get("product_id").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.view;
    view! {
        <A href=format!("/corp/products/{product}/devices/{id}") attr:class="text-indigo-600 hover:underline" attr:data-testid="device-link">{label}</A>
    }
    .into_any()
}

/// The filter builder and the device table for one product.
#[component]
pub fn DeviceTable(
    #[prop(into)] product_id: Signal<String>,
    state: TableState,
    reload: RwSignal<u32>,
    /// Row checkboxes, for the assignment actions (see `DataTable`).
    #[prop(into, default = Signal::stored(false))]
    selectable: Signal<bool>,
    /// A "view" link per row to the corp's device page.
    #[prop(optional)]
    detail_links: bool,
) -> impl IntoView {
    // Built where the table is, outside any Suspense (see `with_session`); no product yet
    // (the picker is about to choose one) lists nothing.
    let page = Resource::new(
        move || (product_id.get(), device_request(&state), reload.get()),
        |(product, req, _)| async move {
            if product.is_empty() {
                Ok(Page::default())
            } else {
                list_devices(product, req).await
            }
        },
    );
    let actions: Option<fn(&Map<String, Value>, &Texts) -> AnyView> = detail_links.then_some(detail_link as _);
    view! {
        <FilterBuilder fields=builder_fields() state=state/>
        {match actions {
            Some(actions) => view! {
                <DataTable columns=columns() state=state page=page selectable=selectable actions=actions testid="devices-table"/>
            }.into_any(),
            None => view! {
                <DataTable columns=columns() state=state page=page selectable=selectable testid="devices-table"/>
            }.into_any(),
        }}
    }
}

/// The product a partner's Devices page shows: the `product` of its URL's query (the picker
/// sets it, and sends a page without one to the first product). Read from the URL, it is the
/// same on the server and in the browser, and known before anything loads, so the table (and its
/// resource) is built once, outside every Suspense.
pub fn product_from_query() -> Signal<String> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || query.read().get("product").unwrap_or_default())
}

/// Another product's devices start on their first page, none of them ticked.
pub fn start_over_on_another_product(product: Signal<String>, state: TableState) {
    Effect::new(move |previous: Option<String>| {
        let chosen = product.get();
        if previous.is_some() {
            state.offset.set(0);
            state.selected.set(Vec::new());
        }
        chosen
    });
}

/// The caller's products as a picker; `href` is where choosing one goes. Without a current
/// product, it goes to the first (or says there is none).
#[component]
pub fn ProductPicker(current: Signal<String>, href: fn(&str) -> String) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let products = Resource::new(|| (), |_| device_products());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match products.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="text-slate-500">{move || t().no_devices_yet}</p> }.into_any(),
                    // Tracked: once the address names the product, the picker shows.
                    Ok(list) if current.get().is_empty() => view! { <Redirect path=href(&list[0].id)/> }.into_any(),
                    Ok(list) => {
                        let navigate = leptos_router::hooks::use_navigate();
                        view! {
                            <label class="mb-3 flex items-center gap-2 text-sm">
                                {move || t().choose_product}
                                <select data-testid="product-picker" class="rounded-md border border-slate-300 px-2 py-1"
                                    on:change=move |ev| navigate(&href(&event_target_value(&ev)), Default::default())>
                                    {list.into_iter().map(|p| {
                                        let id = p.id.clone();
                                        view! { <option value=p.id.clone() selected=move || current.get() == id>{p.name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

/// A partner's Devices page: pick a product (`href` is its page's address for a product), see
/// its devices in scope.
#[component]
pub fn PartnerDevices(href: fn(&str) -> String) -> impl IntoView {
    let i18n = use_i18n();
    let product = product_from_query();
    let state = device_table_state();
    start_over_on_another_product(product, state);
    view! {
        <h1 class="mb-3 text-xl font-semibold">{move || i18n.t().devices_title}</h1>
        <ProductPicker current=product href=href/>
        <DeviceTable product_id=product state=state reload=RwSignal::new(0u32)/>
    }
}

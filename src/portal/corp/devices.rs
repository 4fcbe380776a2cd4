//! The corp's devices: per product a device table with the filter builder, row selection with
//! assignment to a dealer or a key account (and taking devices back), adding one device,
//! importing a CSV with a preview and a progress bar, exporting the current filter, and a page
//! per device to edit or delete it, with its live values, commands and connection.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use super::{
    dealers::{dealer_choices, list_dealers},
    heavy_buyers::list_heavy_buyers,
    layout::with_session,
};
use crate::{
    components::{dialog::ConfirmButton, record::record_option, table::TableState, ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        device::{parse_import, Assignment, DeviceEdit, ImportLine, NewDevice, MAX_BATCH},
        error::ApiError,
        list::ListRequest,
        permission::{ASSIGN_DEVICES, MANAGE_DEVICES},
        validate,
    },
    portal::device_live::{DeviceLive, LiveData},
    portal::devices::{
        add_device, assign_devices, delete_device, device_table_state, edit_device, get_device, import_devices,
        DeviceTable, ProductPicker,
    },
};

/// `/corp/devices`: pick a product, manage its devices.
#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        {crate::components::page_title(|t| t.devices_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().devices_title}</h1>
        // Each product's devices have their own page: this one goes to the first product's.
        <ProductPicker current=Signal::derive(String::new) href=product_href/>
    }
}

/// `/corp/products/:id`: one product's devices.
#[component]
pub fn ProductDevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let product_id = move || params.read().get("id").unwrap_or_default();
    view! {
        {crate::components::page_title(|t| t.devices_title.to_owned())}
        <A href="/corp/products" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().products_title}</A>
        <h1 class="mb-4 mt-1 text-2xl font-bold">{move || t().devices_title}</h1>
        <ProductPicker current=Signal::derive(product_id) href=product_href/>
        {move || view! { <ProductDevices product_id=product_id()/> }}
    }
}

fn product_href(product: &str) -> String {
    format!("/corp/products/{product}")
}

/// Everything the corp does with one product's devices.
#[component]
fn ProductDevices(product_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let product = StoredValue::new(product_id);
    let state = device_table_state();
    let reload = RwSignal::new(0u32);
    let (adding, importing) = (RwSignal::new(false), RwSignal::new(false));
    let assigned = RwSignal::new(None::<Result<usize, ApiError>>);
    let refresh = Callback::new(move |_: ()| reload.update(|n| *n += 1));
    let export_href = move || {
        let q = serde_json::to_string(&state.filter_request()).unwrap_or_default();
        format!("/export/devices.csv?product_id={}&q={}", product.get_value(), crate::model::url::percent_encode(&q))
    };
    let product_id = Signal::derive(move || product.get_value());
    // The table is built here, outside the session's Suspense (see `with_session`); whether rows
    // can be ticked is read from the session inside the table's own Suspense.
    let session = expect_context::<super::layout::SessionResource>();
    let can_assign =
        Signal::derive(move || session.get().and_then(Result::ok).is_some_and(|s| s.abilities.can(ASSIGN_DEVICES)));
    let table = view! { <DeviceTable product_id=product_id state=state reload=reload selectable=can_assign detail_links=true/> };
    let actions = with_session(move |session| {
        let can_manage = session.abilities.can(MANAGE_DEVICES);
        let can_assign = session.abilities.can(ASSIGN_DEVICES);
        view! {
            <div class="mb-3 flex flex-wrap gap-2">
                <Show when=move || can_manage>
                    <button type="button" data-testid="add-device" on:click=move |_| adding.update(|a| *a = !*a)
                        class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
                        {move || t().add_device}
                    </button>
                    <button type="button" data-testid="import-devices" on:click=move |_| importing.update(|a| *a = !*a)
                        class="rounded-md border border-indigo-300 px-3 py-1.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50">
                        {move || t().import_devices}
                    </button>
                </Show>
                <a href=export_href data-testid="export-devices" download=""
                    class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                    {move || t().export_csv}
                </a>
            </div>
            <Show when=move || adding.get()>
                <AddDeviceForm product_id=product_id on_added=Callback::new(move |_| { adding.set(false); refresh.run(()); })/>
            </Show>
            <Show when=move || importing.get()>
                <ImportPanel product_id=product_id on_imported=refresh/>
            </Show>
            <Show when=move || can_assign && !state.selected.get().is_empty()>
                <AssignBar product_id=product_id state=state on_done=refresh message=assigned/>
            </Show>
            {move || assigned.get().map(|m| match m {
                Ok(n) => view! { <p class="mb-3 text-sm text-emerald-700" data-testid="assign-result">{n} " " {move || t().assigned_n}</p> }.into_any(),
                Err(e) => view! { <div class="mb-3"><ErrorNote error=e/></div> }.into_any(),
            })}
        }
    });
    view! { {actions} {table} }
}

#[component]
fn AddDeviceForm(product_id: Signal<String>, on_added: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (mac, name, sn) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let touched = RwSignal::new(false);
    let mac_err = Signal::derive(move || {
        if !touched.get() {
            return None;
        }
        validate::mac("mac", &mac.get()).err().map(|e| t().error(&e))
    });
    let add = Action::new(move |input: &NewDevice| {
        let input = input.clone();
        async move { add_device(product_id.get_untracked(), input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            add.value().set(None);
            on_added.run(());
        }
    });
    view! {
        <form class="mb-4 grid gap-3 rounded-xl border border-indigo-200 bg-white p-5 sm:grid-cols-3" data-testid="device-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if mac_err.get().is_some() { return; }
                add.dispatch(NewDevice { mac: mac.get(), name: name.get(), sn: sn.get(), ..NewDevice::default() });
            }>
            <TextField label=Signal::derive(|| "MAC".to_string()) value=mac error=mac_err name="mac"/>
            <TextField label=Signal::derive(move || t().device_field("name").to_string()) value=name name="name"/>
            <TextField label=Signal::derive(move || t().device_field("sn").to_string()) value=sn name="sn"/>
            <div class="sm:col-span-3">
                {move || add.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="mt-2 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                    {move || t().save}
                </button>
            </div>
        </form>
    }
}

/// How far an import got: lines sent so far, and each line's outcome once known.
#[derive(Clone, Default)]
struct Progress {
    sent: usize,
    total: usize,
    created: usize,
    skipped: usize,
    error: Option<ApiError>,
    done: bool,
}

/// Import by paste or CSV file: every line is checked in the browser with the server's rules
/// and shown with its error before anything is sent; the valid lines then go up in chunks, with
/// a progress bar, each chunk one transaction.
#[component]
fn ImportPanel(product_id: Signal<String>, on_imported: Callback<()>) -> impl IntoView {
    const CHUNK: usize = 200;
    let i18n = use_i18n();
    let t = move || i18n.t();
    let text = RwSignal::new(String::new());
    let lines = Memo::new(move |_| parse_import(&text.get()));
    let valid = move || lines.with(|l| l.iter().filter(|x| x.device.is_ok()).count());
    let invalid = move || lines.with(|l| l.iter().filter(|x| x.device.is_err()).count());
    let progress = RwSignal::new(None::<Progress>);
    let import = Action::new_local(move |devices: &Vec<NewDevice>| {
        let devices = devices.clone();
        async move {
            let total = devices.len();
            progress.set(Some(Progress { total, ..Progress::default() }));
            for chunk in devices.chunks(CHUNK) {
                match import_devices(product_id.get_untracked(), chunk.to_vec()).await {
                    Ok(refs) => progress.update(|p| {
                        if let Some(p) = p {
                            p.sent += chunk.len();
                            p.created += refs.devices.len();
                            p.skipped += chunk.len() - refs.devices.len();
                        }
                    }),
                    Err(e) => {
                        progress.update(|p| {
                            if let Some(p) = p {
                                p.error = Some(e);
                            }
                        });
                        return;
                    }
                }
            }
            progress.update(|p| {
                if let Some(p) = p {
                    p.done = true;
                }
            });
            on_imported.run(());
        }
    });
    let read_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
            if let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                leptos::task::spawn_local(async move {
                    if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        text.set(content.as_string().unwrap_or_default());
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="mb-4 rounded-xl border border-indigo-200 bg-white p-5" data-testid="import-panel">
            <p class="text-sm text-slate-600">{move || t().import_hint}</p>
            <div class="mt-3 grid gap-3 md:grid-cols-2">
                <textarea data-testid="import-text" rows="8" class="w-full rounded-md border border-slate-300 p-2 font-mono text-xs"
                    placeholder="mac,name,sn" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <div>
                    <label class="block text-sm">
                        <span class="font-medium">{move || t().import_file}</span>
                        <input type="file" accept=".csv,.txt,text/csv,text/plain" data-testid="import-file" class="mt-1 block text-sm"
                            on:change=read_file/>
                    </label>
                    <p class="mt-3 text-sm" data-testid="import-counts">
                        {move || t().import_summary} ": " <span class="font-semibold text-emerald-700">{valid}</span> " / "
                        <span class="font-semibold text-red-700">{invalid}</span>
                    </p>
                    {move || (valid() > MAX_BATCH).then(|| view! { <p class="text-sm text-amber-700">{t().import_too_many}</p> })}
                    <button type="button" data-testid="import-go" class="mt-3 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-40"
                        disabled=move || valid() == 0 || import.pending().get()
                        on:click=move |_| {
                            let devices: Vec<NewDevice> = lines.with(|l| l.iter().filter_map(|x| x.device.clone().ok()).take(MAX_BATCH).collect());
                            import.dispatch_local(devices);
                        }>
                        {move || t().import_go}
                    </button>
                    {move || progress.get().map(|p| {
                        let pct = if p.total == 0 { 100 } else { p.sent * 100 / p.total };
                        view! {
                            <div class="mt-3">
                                <div class="h-2 w-full overflow-hidden rounded bg-slate-100" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct data-testid="import-progress">
                                    <div class="h-2 bg-indigo-500 transition-all" style=format!("width: {pct}%")></div>
                                </div>
                                <p class="mt-1 text-sm" data-testid="import-result">
                                    {p.sent} " / " {p.total} " · " {move || t().import_created} " " {p.created} " · " {move || t().import_skipped} " " {p.skipped}
                                </p>
                                {p.error.map(|e| view! { <ErrorNote error=e/> })}
                            </div>
                        }
                    })}
                </div>
            </div>
            <Show when=move || lines.with(|l| !l.is_empty())>
                <h3 class="mt-4 text-sm font-semibold">{move || t().import_preview}</h3>
                <div class="mt-1 max-h-64 overflow-y-auto rounded border border-slate-100">
                    <table class="min-w-full text-xs">
                        <tbody class="divide-y divide-slate-100">
                            {move || lines.get().into_iter().take(MAX_BATCH).map(|line| view! { <PreviewRow line=line/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn PreviewRow(line: ImportLine) -> impl IntoView {
    let i18n = use_i18n();
    let ok = line.device.is_ok();
    let (mac, name, note) = match &line.device {
        Ok(d) => (d.mac.clone(), d.name.clone(), None),
        Err(e) => (line.raw_mac.clone(), String::new(), Some(e.clone())),
    };
    view! {
        <tr data-testid=if ok { "import-row-ok" } else { "import-row-error" } class=if ok { "" } else { "bg-red-50" }>
            <td class="px-2 py-1 text-slate-400">{line.line}</td>
            <td class="px-2 py-1 font-mono">{mac}</td>
            <td class="px-2 py-1">{name}</td>
            <td class="px-2 py-1">
                {match note {
                    None => view! { <span class="text-emerald-700">{move || i18n.t().import_ok}</span> }.into_any(),
                    Some(e) => view! { <span class="text-red-700">{e}</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

/// The actions on the selected rows.
#[component]
fn AssignBar(
    product_id: Signal<String>,
    state: TableState,
    on_done: Callback<()>,
    /// The outcome, shown by the page (the bar itself goes once the selection is cleared).
    message: RwSignal<Option<Result<usize, ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let dealers = Resource::new(|| (), |_| list_dealers(dealer_choices()));
    let buyers = Resource::new(
        || (),
        |_| list_heavy_buyers(ListRequest::paged(0, 1000).with_filter(["id", "name"]).with_order("name", false)),
    );
    let (dealer, buyer) = (RwSignal::new(None::<i64>), RwSignal::new(None::<i64>));
    let run = Action::new(move |action: &Assignment| {
        let action = *action;
        let ids = state.selected.get_untracked();
        async move { assign_devices(product_id.get_untracked(), ids, action).await }
    });
    Effect::new(move |_| match run.value().get() {
        Some(Ok(refs)) => {
            message.set(Some(Ok(refs.devices.len())));
            state.selected.set(Vec::new());
            on_done.run(());
        }
        Some(Err(e)) => message.set(Some(Err(e))),
        None => {}
    });
    let button = "rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50 disabled:opacity-40";
    view! {
        <div class="mb-3 flex flex-wrap items-center gap-3 rounded-xl border border-amber-200 bg-amber-50 p-3 text-sm" data-testid="assign-bar">
            <span data-testid="selected-count"><b>{move || state.selected.get().len()}</b> " " {move || t().selected}</span>
            <button type="button" class="text-slate-500 underline" on:click=move |_| state.selected.set(Vec::new())>{move || t().clear_selection}</button>
            <span class="flex items-center gap-1">
                <select data-testid="assign-dealer" class="rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().choose_dealer
                    on:change=move |ev| dealer.set(event_target_value(&ev).parse().ok())>
                    <option value="">{move || t().choose_dealer}</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            dealers.await.map(|p| p.list.iter().map(record_option).collect_view()).ok()
                        })}
                    </Transition>
                </select>
                <button type="button" data-testid="assign-dealer-go" class=button disabled=move || dealer.get().is_none()
                    on:click=move |_| { if let Some(d) = dealer.get() { run.dispatch(Assignment::ToDealer(d)); } }>
                    {move || t().assign_to_dealer}
                </button>
            </span>
            <span class="flex items-center gap-1">
                <select data-testid="grant-heavy-buyer" class="rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().choose_heavy_buyer
                    on:change=move |ev| buyer.set(event_target_value(&ev).parse().ok())>
                    <option value="">{move || t().choose_heavy_buyer}</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            buyers.await.map(|p| p.list.iter().map(record_option).collect_view()).ok()
                        })}
                    </Transition>
                </select>
                <button type="button" data-testid="grant-heavy-buyer-go" class=button disabled=move || buyer.get().is_none()
                    on:click=move |_| { if let Some(b) = buyer.get() { run.dispatch(Assignment::ToHeavyBuyer(b)); } }>
                    {move || t().grant_to_heavy_buyer}
                </button>
            </span>
            <button type="button" data-testid="take-back-dealer" class=button on:click=move |_| { run.dispatch(Assignment::BackFromDealers); }>
                {move || t().take_back_dealer}
            </button>
            <button type="button" data-testid="take-back-heavy-buyer" class=button on:click=move |_| { run.dispatch(Assignment::BackFromHeavyBuyers); }>
                {move || t().take_back_heavy_buyer}
            </button>
        </div>
    }
}

/// `/corp/products/:pid/devices/:id`: every field, the editable ones in a form, delete.
#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("pid").unwrap_or_default(), p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0))
    };
    let reload = RwSignal::new(0u32);
    let device = Resource::new(move || (key(), reload.get()), |((pid, id), _)| get_device(pid, id));
    let session = expect_context::<super::layout::SessionResource>();
    let live = LiveData::new(key, move || async move { session.await.is_ok_and(|s| s.abilities.can(MANAGE_DEVICES)) });
    view! {
        {crate::components::page_title(|t| t.device_detail.to_owned())}
        {with_session(move |session| {
            let can_manage = session.abilities.can(MANAGE_DEVICES);
            view! {
                <A href=move || format!("/corp/products/{}", key().0) attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().devices_title}</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match device.await {
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                            Ok(d) => view! { <DeviceDetail device=d can_manage=can_manage reload=reload live=live/> }.into_any(),
                        }
                    })}
                </Transition>
            }
        })}
    }
}

#[component]
fn DeviceDetail(
    device: crate::model::device::Device,
    can_manage: bool,
    reload: RwSignal<u32>,
    live: LiveData,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let navigate = use_navigate();
    let (pid, id) = (device.product_id.clone(), device.id);
    let name = RwSignal::new(device.name.clone());
    let sn = RwSignal::new(device.sn.clone());
    let domain = RwSignal::new(device.domain.clone());
    let tags = RwSignal::new(device.tags.join(", "));
    let save = Action::new({
        let pid = pid.clone();
        move |edit: &DeviceEdit| {
            let (pid, edit) = (pid.clone(), edit.clone());
            async move { edit_device(pid, id, edit).await }
        }
    });
    let remove = Action::new({
        let pid = pid.clone();
        move |_: &()| {
            let pid = pid.clone();
            async move { delete_device(pid, id).await }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    Effect::new({
        let pid = pid.clone();
        move |_| {
            if let Some(Ok(())) = remove.value().get() {
                navigate(&format!("/corp/products/{pid}"), Default::default());
            }
        }
    });
    let fields = serde_json::to_value(&device).ok().and_then(|v| v.as_object().cloned()).unwrap_or_default();
    view! {
        <div class="mt-2 grid gap-4 lg:grid-cols-2">
            <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="device-detail">
                <h1 class="font-mono text-xl font-bold">{device.mac.clone()}</h1>
                <dl class="mt-3 space-y-1 text-sm">
                    {fields.into_iter().map(|(k, v)| {
                        let shown = match &v {
                            serde_json::Value::Null => "—".to_owned(),
                            serde_json::Value::Bool(b) => t().yes_no(*b).to_owned(),
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
                            other => other.to_string(),
                        };
                        view! {
                            <div class="flex justify-between gap-4">
                                <dt class="text-slate-500">{move || t().device_field(&k)}</dt>
                                <dd class="text-right">{shown}</dd>
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </section>
            <Show when=move || can_manage>
                <section class="rounded-xl border border-slate-200 bg-white p-5">
                    <form class="space-y-3" data-testid="device-edit" on:submit=move |ev| {
                        ev.prevent_default();
                        let tag_list: Vec<String> = tags.get().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                        save.dispatch(DeviceEdit { name: Some(name.get()), sn: Some(sn.get()), domain: Some(domain.get()), tags: Some(tag_list), ..DeviceEdit::default() });
                    }>
                        <TextField label=Signal::derive(move || t().device_field("name").to_string()) value=name name="name"/>
                        <TextField label=Signal::derive(move || t().device_field("sn").to_string()) value=sn name="sn"/>
                        <TextField label=Signal::derive(move || t().device_field("domain").to_string()) value=domain name="domain"/>
                        <TextField label=Signal::derive(move || t().tags_hint.to_string()) value=tags name="tags"/>
                        {move || save.value().get().map(|r| match r {
                            Ok(_) => view! { <p class="text-sm text-emerald-700" data-testid="saved">{move || t().saved}</p> }.into_any(),
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        })}
                        <button type="submit" class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{move || t().save}</button>
                    </form>
                    <div class="mt-6 border-t border-slate-100 pt-4">
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().confirm_delete_device.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-device" danger=true/>
                        {move || remove.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
                    </div>
                </section>
            </Show>
            <DeviceLive product_id=pid.clone() id=id can_manage=can_manage data=live/>
        </div>
    }
}

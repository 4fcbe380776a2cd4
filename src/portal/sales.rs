//! A dealer's sales ledger in the portals (issue 14): the dealer records a sale or imports a CSV
//! file of them and sees its own and its sub-dealers' in a table; the corp sees each dealer's on
//! the dealer's page. Server functions are adapters over `service::sale`.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    components::{
        filter::{BuilderField, FilterBuilder},
        table::{Column, DataTable, TableState},
        ErrorNote, TextField,
    },
    i18n::use_i18n,
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        sale::{Sale, SaleInput},
    },
};

/// The sales of dealer `dealer_id` (the caller's own when `None`) and those below it.
#[server(prefix = "/fn", endpoint = "/sales", input = Json)]
pub async fn list_sales(dealer_id: Option<i64>, request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{
        fns,
        service::{entry, sale},
    };
    let (ctx, principal) = fns::caller().await?;
    entry::require_module(&ctx, &principal, crate::model::entry::SALES).await.map_err(fns::refuse)?;
    let dealer_id = own_or(&principal, dealer_id)?;
    let body = fns::list_body(&request)?;
    sale::list(&ctx, &principal, dealer_id, &body).await.map_err(fns::refuse)
}

/// Records one sale for the signed-in dealer.
#[server(prefix = "/fn", endpoint = "/sale_add", input = Json)]
pub async fn record_sale(input: SaleInput) -> Result<Sale, ApiError> {
    use crate::server::{
        fns,
        service::{entry, sale},
    };
    let (ctx, principal) = fns::caller().await?;
    entry::require_module(&ctx, &principal, crate::model::entry::SALES).await.map_err(fns::refuse)?;
    let dealer_id = own_or(&principal, None)?;
    sale::record(&ctx, &principal, dealer_id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/sale_delete", input = Json)]
pub async fn delete_sale(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::sale};
    let (ctx, principal) = fns::caller().await?;
    sale::delete(&ctx, &principal, id).await.map_err(fns::refuse)
}

/// The dealer a portal call is about: the one named, or the signed-in dealer itself.
#[cfg(feature = "ssr")]
fn own_or(principal: &crate::server::auth::principal::Principal, named: Option<i64>) -> Result<i64, ApiError> {
    use crate::server::fns;
    match named {
        Some(id) => Ok(id),
        None => principal.dealer().map(|d| d.dealer_id).map_err(fns::refuse),
    }
}

const COLUMNS: [&str; 8] = ["sale_time", "name", "phone", "client_type", "sn", "mac", "province", "city"];

fn columns() -> Vec<Column> {
    Column::all_of(&Sale::RESOURCE)
}

/// The ledger table of one dealer and those below it, newest sale first.
#[component]
pub fn SalesTable(#[prop(into)] dealer_id: Signal<Option<i64>>, reload: RwSignal<u32>) -> impl IntoView {
    let cols = columns();
    let state = TableState::new(&cols, "name");
    state.visible.set(COLUMNS.to_vec());
    state.sort.set(Some(("sale_time", true)));
    let page = Resource::new(
        move || (dealer_id.get(), state.request(), reload.get()),
        |(dealer, req, _)| list_sales(dealer, req),
    );
    view! {
        <FilterBuilder fields=BuilderField::all_of(&Sale::RESOURCE) state=state/>
        <DataTable columns=cols state=state page=page testid="sales-table"/>
    }
}

/// One line of an imported file: `name,phone,sn,sale_time[,address]`; a header line is skipped.
pub fn parse_line(line: &str) -> Option<Result<SaleInput, String>> {
    let cells: Vec<&str> = line.split(',').map(str::trim).collect();
    if line.trim().is_empty() || cells.first().is_some_and(|c| c.eq_ignore_ascii_case("name")) {
        return None;
    }
    if cells.len() < 4 {
        return Some(Err(format!("{line}: name, phone, sn and sale time expected")));
    }
    let date = cells[3];
    let sale_time = if date.len() == 10 { format!("{date}T00:00:00.000Z") } else { date.to_owned() };
    Some(Ok(SaleInput {
        name: Some(cells[0].to_owned()),
        phone: Some(cells[1].to_owned()),
        sale_time: Some(sale_time),
        address: cells.get(4).map(|a| a.to_string()),
        device: crate::model::sale::SoldDevice { sn: Some(cells[2].to_owned()), ..Default::default() },
        ..SaleInput::default()
    }))
}

/// The dealer's Sales page: record one, import a file, and the table.
#[component]
pub fn DealerSales() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    view! {
        <h1 class="mb-3 text-xl font-semibold">{move || t().sales_title}</h1>
        <div class="mb-4 grid gap-4 md:grid-cols-2">
            <RecordSaleForm on_done=Callback::new(move |_| reload.update(|n| *n += 1))/>
            <ImportSales on_done=Callback::new(move |_| reload.update(|n| *n += 1))/>
        </div>
        <SalesTable dealer_id=Signal::derive(|| None) reload=reload/>
    }
}

#[component]
fn RecordSaleForm(on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let fields = [(); 5].map(|_| RwSignal::new(String::new()));
    let [name, phone, sn, date, address] = fields;
    let add = Action::new(move |input: &SaleInput| record_sale(input.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            for f in fields {
                f.set(String::new());
            }
            on_done.run(());
        }
    });
    view! {
        <form class="space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="record-sale"
            on:submit=move |ev| {
                ev.prevent_default();
                let sale_time = Some(date.get()).filter(|d| !d.is_empty()).map(|d| format!("{d}T00:00:00.000Z"));
                add.dispatch(SaleInput {
                    name: Some(name.get()),
                    phone: Some(phone.get()),
                    address: Some(address.get()),
                    sale_time,
                    device: crate::model::sale::SoldDevice { sn: Some(sn.get()), ..Default::default() },
                    ..SaleInput::default()
                });
            }>
            <h2 class="font-medium">{move || t().record_sale}</h2>
            <TextField label=Signal::derive(move || t().field_label("sale", "name").to_string()) value=name name="name"/>
            <TextField label=Signal::derive(move || t().field_label("sale", "phone").to_string()) value=phone name="phone"/>
            <TextField label=Signal::derive(move || t().field_label("sale", "sn").to_string()) value=sn name="sn"/>
            <TextField label=Signal::derive(move || t().field_label("sale", "sale_time").to_string()) value=date name="sale_time" kind="date"/>
            <TextField label=Signal::derive(move || t().field_label("sale", "address").to_string()) value=address name="address"/>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" data-testid="record-sale-submit" disabled=move || add.pending().get()
                class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
                {move || t().save}
            </button>
        </form>
    }
}

/// Records each line of a pasted or chosen CSV file, one sale at a time, and says how many.
#[component]
fn ImportSales(on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<usize, String>>);
    let import = Action::new(move |lines: &String| {
        let lines = lines.clone();
        async move {
            let mut done = 0;
            for parsed in lines.lines().filter_map(parse_line) {
                let input = parsed?;
                record_sale(input).await.map_err(|e| format!("{}: {}", done + 1, e.msg))?;
                done += 1;
            }
            Ok::<usize, String>(done)
        }
    });
    Effect::new(move |_| {
        if let Some(result) = import.value().get() {
            if result.is_ok() {
                text.set(String::new());
            }
            outcome.set(Some(result));
            on_done.run(());
        }
    });
    view! {
        <form class="space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="import-sales"
            on:submit=move |ev| { ev.prevent_default(); outcome.set(None); import.dispatch(text.get()); }>
            <h2 class="font-medium">{move || t().import_sales}</h2>
            <p class="text-xs text-slate-500">{move || t().import_sales_hint}</p>
            <textarea name="sales_csv" rows="4" data-testid="import-sales-text" class="w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            {move || outcome.get().map(|o| match o {
                Ok(n) => view! { <p class="text-sm text-emerald-700" data-testid="import-sales-result">{n} " " {move || t().sales_recorded}</p> }.into_any(),
                Err(e) => view! { <p class="text-sm text-red-600" data-testid="import-sales-error">{e}</p> }.into_any(),
            })}
            <button type="submit" data-testid="import-sales-submit" disabled=move || import.pending().get()
                class="rounded-md border border-indigo-300 px-3 py-1.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-50">
                {move || t().import_submit}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_line;

    #[test]
    fn import_lines() {
        assert!(parse_line("name,phone,sn,sale_time").is_none());
        assert!(parse_line("  ").is_none());
        let sale = parse_line("Zhang, 139, SN-1, 2026-11-02, Road 1").unwrap().unwrap();
        assert_eq!(sale.name.as_deref(), Some("Zhang"));
        assert_eq!(sale.sale_time.as_deref(), Some("2026-11-02T00:00:00.000Z"));
        assert_eq!(sale.device.sn.as_deref(), Some("SN-1"));
        assert_eq!(sale.address.as_deref(), Some("Road 1"));
        assert!(parse_line("only,two").unwrap().is_err());
    }
}

//! Commission (佣金) in the portals and on the mobile site: balances, the ledger, withdrawals.
//! The vendor's members see every account and pay out or reject withdrawals; a dealer and a
//! user see their own account and withdraw from it. The server functions are adapters over
//! `service::commission`, the same calls `/api/commission…` makes.

use leptos::{prelude::*, server_fn::codec::Json};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::ConfirmButton,
        table::{rendered, Column, DataTable, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        commission::{CommissionEntry, Summary, Withdrawal, WithdrawalInput},
        error::ApiError,
        list::{ListRequest, Page},
        money::{parse_yuan, yuan},
    },
    portal::mall::money_cell,
};

/// AE-02: the caller's balances (its own; the vendor's in all for its members).
#[server(prefix = "/fn", endpoint = "/commission_summary", input = Json)]
pub async fn commission_summary() -> Result<Summary, ApiError> {
    use crate::server::{fns, service::commission};
    let (ctx, principal) = fns::caller().await?;
    commission::summary(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/commission", input = Json)]
pub async fn list_commission(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::commission};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&CommissionEntry::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    commission::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/withdrawals", input = Json)]
pub async fn list_withdrawals(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::commission};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Withdrawal::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    commission::withdrawals(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// AE-03: the caller withdraws.
#[server(prefix = "/fn", endpoint = "/withdraw", input = Json)]
pub async fn withdraw(input: WithdrawalInput) -> Result<Withdrawal, ApiError> {
    use crate::server::{fns, service::commission};
    let (ctx, principal) = fns::caller().await?;
    commission::withdraw(&ctx, &principal, input).await.map_err(fns::refuse)
}

/// The vendor pays a withdrawal out (`pay`) or rejects it, crediting it back.
#[server(prefix = "/fn", endpoint = "/withdrawal_decide", input = Json)]
pub async fn decide_withdrawal(withdrawal_id: String, pay: bool) -> Result<Withdrawal, ApiError> {
    use crate::server::{fns, service::commission};
    let (ctx, principal) = fns::caller().await?;
    commission::decide(&ctx, &principal, &withdrawal_id, pay).await.map_err(fns::refuse)
}

/// The balances as cards.
#[component]
pub fn SummaryCards(summary: Resource<Result<Summary, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => {
                        let cards: [(fn(&Texts) -> &'static str, i64, &'static str); 5] = [
                            (|t| t.shop.available, s.available, "available"),
                            (|t| t.shop.pending, s.pending, "pending"),
                            (|t| t.shop.withdrawing, s.withdrawing, "withdrawing"),
                            (|t| t.shop.withdrawn, s.withdrawn, "withdrawn"),
                            (|t| t.shop.debt, s.debt, "debt"),
                        ];
                        view! {
                            <div class="grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="commission-summary">
                                {cards.into_iter().map(|(label, amount, key)| view! {
                                    <div class="rounded-xl border border-slate-200 bg-white p-3">
                                        <p class="text-xs text-slate-500">{move || label(t())}</p>
                                        <p class="text-lg font-semibold" data-testid=format!("sum-{key}")>{yuan(amount)}</p>
                                    </div>
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn bucket_cell(v: &Value, t: &Texts) -> String {
    t.shop.bucket_name(v.as_str().unwrap_or("")).to_owned()
}

fn kind_cell(v: &Value, t: &Texts) -> String {
    t.shop.entry_kind_name(v.as_str().unwrap_or("")).to_owned()
}

fn status_cell(v: &Value, t: &Texts) -> String {
    t.shop.withdrawal_status_name(v.as_str().unwrap_or("")).to_owned()
}

/// The ledger: every entry, newest first.
#[component]
pub fn LedgerTable(reload: RwSignal<u32>) -> impl IntoView {
    let cols = rendered(
        rendered(rendered(Column::all_of(&CommissionEntry::RESOURCE), "amount", money_cell), "bucket", bucket_cell),
        "kind",
        kind_cell,
    );
    let state = TableState::new(&cols, "account").hiding(&["vid", "withdrawal_id", "id"]);
    let page = Resource::new(move || (state.request(), reload.get()), |(r, _)| list_commission(r));
    view! { <DataTable columns=cols state=state page=page testid="ledger-table"/> }
}

/// What the withdrawals table's row buttons share: the reload they bump after a decision, and
/// where a refused decision is shown (above the table: the row itself is drawn again).
#[derive(Clone, Copy)]
struct Decided {
    reload: RwSignal<u32>,
    error: RwSignal<Option<ApiError>>,
}

fn decide_buttons(row: &Map<String, Value>, _: &Texts) -> AnyView {
    if row.get("status").and_then(Value::as_str) != Some("requested") {
        return ().into_any();
    }
    let Some(Decided { reload, error }) = use_context::<Decided>() else {
        return ().into_any();
    };
    let id = StoredValue::new(row.get("withdrawal_id").and_then(Value::as_str).unwrap_or("").to_owned());
    let decide = ServerAction::<DecideWithdrawal>::new();
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let i18n = use_i18n();
    let t = move || i18n.t();
    let run = move |pay: bool| {
        if !decide.pending().get_untracked() {
            decide.dispatch(DecideWithdrawal { withdrawal_id: id.get_value(), pay });
        }
    };
    view! {
        <span class="flex gap-2">
            <ConfirmButton label=Signal::derive(move || t().shop.pay_out.to_string())
                message=Signal::derive(move || t().shop.pay_out_confirm.to_string())
                on_confirm=Callback::new(move |_| run(true)) testid="pay-out"/>
            <ConfirmButton label=Signal::derive(move || t().shop.reject.to_string())
                message=Signal::derive(move || t().shop.reject_confirm.to_string())
                on_confirm=Callback::new(move |_| run(false)) testid="reject" danger=true/>
        </span>
    }
    .into_any()
}

/// Withdrawals, newest first; `decide`: the vendor's pay-out and reject buttons on the ones
/// waiting. `reload` reads them again (after a withdrawal or a decision).
#[component]
pub fn WithdrawalsTable(reload: RwSignal<u32>, #[prop(optional)] decide: bool) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    provide_context(Decided { reload, error });
    let cols = rendered(rendered(Column::all_of(&Withdrawal::RESOURCE), "amount", money_cell), "status", status_cell);
    let state = TableState::new(&cols, "account").keyed_by("withdrawal_id").hiding(&["vid", "decided_by"]);
    let page = Resource::new(
        move || (state.request().with_order("create_tms", true), reload.get()),
        |(r, _)| list_withdrawals(r),
    );
    if decide {
        view! { <DataTable columns=cols state=state page=page actions=decide_buttons testid="withdrawals-table"/> }
            .into_any()
    } else {
        view! { <DataTable columns=cols state=state page=page testid="withdrawals-table"/> }.into_any()
    }
}

/// A fresh idempotency key for one intended withdrawal: a retried submit of the same form
/// sends the same key (one withdrawal); a new form gets a new key.
fn new_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 12];
        if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// The withdraw form: an amount in yuan and the bank card to pay it to.
#[component]
pub fn WithdrawForm(reload: RwSignal<u32>, #[prop(optional)] mobile: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (amount, card) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let key = RwSignal::new(String::new());
    let typed = RwSignal::new(None::<String>);
    let action = ServerAction::<Withdraw>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            amount.set(String::new());
            key.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_yuan(&amount.get()) {
            Ok(fen) => {
                typed.set(None);
                if key.get_untracked().is_empty() {
                    key.set(new_key());
                }
                action.dispatch(Withdraw {
                    input: WithdrawalInput { amount: fen, bank_card: card.get(), idempotency_key: key.get_untracked() },
                });
            }
            Err(why) => typed.set(Some(why.to_owned())),
        }
    };
    let button = if mobile {
        "h-11 w-full rounded-md bg-emerald-600 text-base font-medium text-white disabled:opacity-60"
    } else {
        "self-end rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-60"
    };
    let grid = if mobile { "space-y-3" } else { "grid gap-3 md:grid-cols-3" };
    view! {
        <form class=grid data-testid="withdraw-form" on:submit=submit>
            <TextField label=Signal::derive(move || t().shop.withdraw_amount.to_string()) value=amount name="amount"
                error=Signal::derive(move || typed.get())/>
            <TextField label=Signal::derive(move || t().field_label("withdrawal", "bank_card").to_string()) value=card name="bank_card"/>
            <button type="submit" data-testid="withdraw" class=button disabled=move || action.pending().get()>{move || t().shop.withdraw}</button>
        </form>
        {move || action.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
        {move || matches!(action.value().get(), Some(Ok(_))).then(|| view! {
            <p class="mt-2 text-sm text-emerald-700" data-testid="withdraw-done">{move || t().shop.withdraw_done}</p>
        })}
    }
}

/// `/corp/commission`: the vendor's balances in all, the ledger, and the withdrawals to pay out.
#[component]
pub fn CorpCommissionPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let summary = Resource::new(move || reload.get(), |_| commission_summary());
    view! {
        {crate::components::page_title(|t| t.shop.commission_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().shop.commission_title}</h1>
        <SummaryCards summary=summary/>
        <h2 class="mb-2 mt-6 font-semibold">{move || t().shop.withdrawals}</h2>
        <WithdrawalsTable reload=reload decide=true/>
        <h2 class="mb-2 mt-6 font-semibold">{move || t().shop.ledger}</h2>
        <LedgerTable reload=reload/>
    }
}

/// A dealer's (or any account holder's) commission: balances, withdraw, withdrawals, ledger.
#[component]
pub fn OwnCommission() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let summary = Resource::new(move || reload.get(), |_| commission_summary());
    view! {
        <h1 class="mb-4 text-xl font-semibold">{move || t().shop.commission_title}</h1>
        <SummaryCards summary=summary/>
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5">
            <WithdrawForm reload=reload/>
        </section>
        <h2 class="mb-2 mt-6 font-semibold">{move || t().shop.withdrawals}</h2>
        <WithdrawalsTable reload=reload/>
        <h2 class="mb-2 mt-6 font-semibold">{move || t().shop.ledger}</h2>
        <LedgerTable reload=reload/>
    }
}

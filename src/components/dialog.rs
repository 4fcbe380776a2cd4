//! Dialogs: a modal frame, and a button that asks for confirmation before it acts.

use leptos::prelude::*;

use crate::{components::ErrorNote, i18n::use_i18n, model::error::ApiError};

/// A centred panel over a dimmed page, shown while `open` is true.
#[component]
pub fn Modal(open: RwSignal<bool>, #[prop(into)] title: Signal<String>, children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-20 flex items-center justify-center bg-slate-900/40 p-4" role="dialog" aria-modal="true">
                <div class="w-full max-w-lg rounded-xl bg-white p-6 shadow-xl">
                    <h2 class="text-lg font-semibold">{move || title.get()}</h2>
                    <div class="mt-4">{children.read_value()()}</div>
                </div>
            </div>
        </Show>
    }
}

/// A button that first shows `message` with Confirm / Cancel; `on_confirm` runs on Confirm.
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] message: Signal<String>,
    on_confirm: Callback<()>,
    #[prop(optional)] testid: &'static str,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let color =
        if danger { "bg-red-600 hover:bg-red-700 text-white" } else { "bg-slate-800 hover:bg-slate-900 text-white" };
    view! {
        <div class="inline-block">
            <button type="button" data-testid=testid on:click=move |_| asking.set(true)
                class=format!("rounded-md px-3 py-1.5 text-sm font-medium {color}")>
                {move || label.get()}
            </button>
            <Show when=move || asking.get()>
                <div class="mt-2 max-w-sm rounded-md border border-amber-200 bg-amber-50 p-3 text-sm" role="alertdialog">
                    <p>{move || message.get()}</p>
                    <div class="mt-2 flex gap-2">
                        <button type="button" data-testid="confirm-yes" class=format!("rounded-md px-3 py-1 {color}")
                            on:click=move |_| { asking.set(false); on_confirm.run(()); }>
                            {move || i18n.t().confirm}
                        </button>
                        <button type="button" class="rounded-md border border-slate-300 bg-white px-3 py-1"
                            on:click=move |_| asking.set(false)>
                            {move || i18n.t().cancel}
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

/// The foot of a form in a dialog: the refusal, if any, then Cancel (closes the dialog) and
/// Save (busy while the form's action is pending).
#[component]
pub fn DialogFooter(
    open: RwSignal<bool>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional)] save_testid: &'static str,
    /// The partner portals' accent colour rather than the corp portal's.
    #[prop(optional)]
    partner: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let color = if partner { "bg-emerald-600 hover:bg-emerald-700" } else { "bg-indigo-600 hover:bg-indigo-700" };
    view! {
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        <div class="flex justify-end gap-2 pt-2">
            <button type="button" class="rounded-md border border-slate-300 px-3 py-2 text-sm" on:click=move |_| open.set(false)>{move || t().cancel}</button>
            <button type="submit" data-testid=save_testid disabled=move || pending.get()
                class=format!("rounded-md px-3 py-2 text-sm font-medium text-white disabled:opacity-60 {color}")>
                {move || if pending.get() { t().saving } else { t().save }}
            </button>
        </div>
    }
}

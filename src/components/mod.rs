//! Building blocks shared by every portal.

pub mod dialog;
pub mod filter;
pub mod record;
pub mod sign_in;
pub mod table;

use leptos::prelude::*;

use crate::{
    i18n::{use_i18n, Texts},
    model::error::ApiError,
};

/// Renders `view` with a session once it is loaded (nothing before): the one wait behind the
/// corp pages' `with_session` and the partner pages' `with_partner`. A failed load shows its
/// error when `show_error` (else the frame around the page handles it).
///
/// `view` may run more than once while the server renders (a Suspense re-runs its children a
/// varying number of times), and every resource, Suspense and Transition takes the next
/// hydration id when it is made. So the browser (which runs `view` once) hydrates with the
/// server's ids only if nothing that takes one is made in `view`, or anywhere while rendering
/// after it: a page makes its resources, and the components that make their own (tables,
/// pickers, forms with a Transition), in its body, and passes them in. What `view` builds may
/// hold Suspenses only as its last part (a table at the end of the page).
pub fn with_loaded<S, V>(
    session: Resource<Result<S, ApiError>>,
    show_error: bool,
    view: impl Fn(S) -> V + Send + Sync + Clone + 'static,
) -> AnyView
where
    S: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match session.await {
                        Ok(s) => view(s).into_any(),
                        Err(e) if show_error => view! { <ErrorNote error=e/> }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The page's `<title>`: "{page} · {app name}" in the current language (`page` empty: the app
/// name alone).
///
/// The browser gets a reactive title that follows a language switch. The server fixes the text
/// while the page renders: leptos_meta reads the title only after a yield, outside the request's
/// reactive arena (leptos_integration_utils 0.8.9, `inject_meta_context`), where a signal read
/// reaches whichever request's arena the thread ran last — under parallel load a panic ("already
/// disposed") or another request's value. See vendor/reactive_graph/PATCHES.md.
pub fn page_title(page: impl Fn(&'static Texts) -> String + Send + Sync + 'static) -> impl IntoView {
    use leptos_meta::Title;
    let i18n = use_i18n();
    let text = move || {
        let t = i18n.t();
        let page = page(t);
        if page.is_empty() {
            t.app_name.to_owned()
        } else {
            format!("{page} · {}", t.app_name)
        }
    };
    #[cfg(feature = "ssr")]
    let text = text();
    view! { <Title text=text/> }
}

/// Switches the interface language; the choice is kept in a cookie.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            data-testid="lang-switch"
            class="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-100"
            on:click=move |_| i18n.set(i18n.lang().other())
        >
            {move || i18n.t().switch_to}
        </button>
    }
}

/// An error told in the reader's language.
#[component]
pub fn ErrorNote(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="alert" data-testid="error" class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {move || i18n.t().error(&error)}
        </p>
    }
}

/// The product's mark, linking home.
#[component]
pub fn Brand() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a href="/" class="flex items-center gap-2 font-semibold">
            <span class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-white">"B"</span>
            <span>{move || i18n.t().app_name}</span>
        </a>
    }
}

/// A labelled form input with its own error line (inline validation).
#[component]
pub fn TextField(
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] kind: &'static str,
    #[prop(optional)] name: &'static str,
) -> impl IntoView {
    let kind = if kind.is_empty() { "text" } else { kind };
    let err = move || error.and_then(|e| e.get());
    view! {
        <label class="block">
            <span class="text-sm font-medium">{move || label.get()}</span>
            <input type=kind name=name
                class=move || format!("mt-1 w-full rounded-md border px-3 py-2 text-sm focus:outline-none focus:ring-1 {}",
                    if err().is_some() { "border-red-400 focus:ring-red-400" } else { "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500" })
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            {move || err().map(|e| view! { <span class="mt-1 block text-xs text-red-600" data-testid="field-error">{e}</span> })}
        </label>
    }
}

//! The corp member login page.

use leptos::prelude::*;

use super::CorpLogin as CorpLoginFn;
use crate::{
    components::sign_in::{Accent, AccountField, SignInEnd, SignInFrame},
    i18n::use_i18n,
};

#[component]
pub fn CorpLogin() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let login = ServerAction::<CorpLoginFn>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        {crate::components::page_title(|t| t.login_title.to_owned())}
        <SignInFrame>
            <p class=Accent::Indigo.eyebrow()>{move || t().corp_portal}</p>
            <h1 class="mt-1 text-2xl font-bold">{move || t().login_title}</h1>
            <p class="mt-1 text-sm text-slate-500">{move || t().login_subtitle}</p>
            <ActionForm action=login attr:class="mt-6 space-y-4" attr:data-testid="login-form">
                <AccountField placeholder=true/>
                <SignInEnd pending=login.pending() error=Signal::derive(error) accent=Accent::Indigo/>
            </ActionForm>
        </SignInFrame>
    }
}

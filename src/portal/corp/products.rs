//! Products in the corp portal: the catalogue, creating, editing, releasing, deleting, and the way
//! to each product's devices.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::components::A;

use super::layout::with_session;
use crate::{
    components::{dialog::ConfirmButton, ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        permission::MANAGE_PRODUCTS,
        product::{NewProduct, Product, ProductEdit},
        validate,
    },
};

#[server(prefix = "/fn", endpoint = "/products", input = Json)]
pub async fn list_products() -> Result<Vec<Product>, ApiError> {
    use crate::server::{fns, service::product};
    let (ctx, principal) = fns::caller().await?;
    product::list(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/product_add", input = Json)]
pub async fn add_product(input: NewProduct) -> Result<Product, ApiError> {
    use crate::server::{fns, service::product};
    let (ctx, principal) = fns::caller().await?;
    product::create(&ctx, &principal, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/product_edit", input = Json)]
pub async fn edit_product(id: String, input: ProductEdit) -> Result<Product, ApiError> {
    use crate::server::{fns, service::product};
    let (ctx, principal) = fns::caller().await?;
    product::update(&ctx, &principal, &id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/product_delete", input = Json)]
pub async fn delete_product(id: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::product};
    let (ctx, principal) = fns::caller().await?;
    product::delete(&ctx, &principal, &id).await.map_err(fns::refuse)
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let products = Resource::new(move || reload.get(), |_| list_products());
    let adding = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    view! {
        {crate::components::page_title(|t| t.products_title.to_owned())}
        {with_session(move |session| {
            let can_manage = session.abilities.can(MANAGE_PRODUCTS);
            view! {
                <div class="mb-4 flex items-center justify-between">
                    <h1 class="text-2xl font-bold">{move || t().products_title}</h1>
                    <Show when=move || can_manage>
                        <button type="button" data-testid="add-product" on:click=move |_| adding.update(|a| *a = !*a)
                            class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                            {move || t().add_product}
                        </button>
                    </Show>
                </div>
                <Show when=move || adding.get()>
                    <ProductForm on_saved=Callback::new(move |_| { adding.set(false); reload.update(|n| *n += 1); })/>
                </Show>
                {move || error.get().map(|e| view! { <div class="mb-3"><ErrorNote error=e/></div> })}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match products.await {
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="text-slate-500">{move || t().no_products}</p> }.into_any(),
                            Ok(list) => view! {
                                <div class="grid gap-3 md:grid-cols-2" data-testid="products">
                                    {list.into_iter().map(|p| view! { <ProductCard product=p can_manage=can_manage reload=reload error=error/> }).collect_view()}
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            }
        })}
    }
}

#[component]
fn ProductForm(on_saved: Callback<Product>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (name, description, mode) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let link_type = RwSignal::new(1i64);
    let touched = RwSignal::new(false);
    let name_err = Signal::derive(move || {
        (touched.get() && validate::text("name", &name.get(), 32).is_err()).then(|| t().err_required.to_string())
    });
    let add = ServerAction::<AddProduct>::new();
    Effect::new(move |_| {
        if let Some(Ok(p)) = add.value().get() {
            add.clear();
            on_saved.run(p);
        }
    });
    view! {
        <form class="mb-4 grid gap-3 rounded-xl border border-indigo-200 bg-white p-5 sm:grid-cols-2" data-testid="product-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if name_err.get().is_some() { return; }
                add.dispatch(AddProduct { input: NewProduct {
                    name: name.get(), description: description.get(), link_type: link_type.get(), mode: mode.get(), kind: 0,
                }});
            }>
            <TextField label=Signal::derive(move || t().product_name.to_string()) value=name error=name_err name="name"/>
            <TextField label=Signal::derive(move || t().mode.to_string()) value=mode name="mode"/>
            <label class="block">
                <span class="text-sm font-medium">{move || t().link_type}</span>
                <select name="link_type" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                    on:change=move |ev| link_type.set(event_target_value(&ev).parse().unwrap_or(1))>
                    {(1..=5).map(|n| view! { <option value=n.to_string()>{move || t().link_type_name(n)}</option> }).collect_view()}
                </select>
            </label>
            <TextField label=Signal::derive(move || t().description.to_string()) value=description name="description"/>
            <div class="sm:col-span-2">
                {move || add.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="mt-2 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                    {move || t().save}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ProductCard(
    product: Product,
    can_manage: bool,
    reload: RwSignal<u32>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = StoredValue::new(product.id.clone());
    let released = product.is_release;
    let release = Action::new(move |_: &()| {
        let id = id.get_value();
        async move { edit_product(id, ProductEdit { is_release: Some(true), ..Default::default() }).await.map(|_| ()) }
    });
    let remove = Action::new(move |_: &()| {
        let id = id.get_value();
        async move { delete_product(id).await }
    });
    Effect::new(move |_| {
        for r in [release.value().get(), remove.value().get()].into_iter().flatten() {
            match r {
                Ok(()) => {
                    error.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let link = product.link_type;
    let editing = RwSignal::new(false);
    let edited = StoredValue::new(product.clone());
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-4" data-testid="product">
            <div class="flex items-start justify-between gap-2">
                <div>
                    <h2 class="font-semibold">{product.name.clone()}</h2>
                    <p class="text-sm text-slate-500">{product.description.clone()}</p>
                </div>
                <span class=if released { "rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-700" } else { "rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600" }>
                    {move || if released { t().released } else { t().draft }}
                </span>
            </div>
            <dl class="mt-3 space-y-1 text-sm">
                <div class="flex justify-between"><dt class="text-slate-500">"ID"</dt><dd class="font-mono text-xs">{product.id.clone()}</dd></div>
                <div class="flex justify-between"><dt class="text-slate-500">{move || t().product_key}</dt><dd class="font-mono text-xs">{product.key.clone()}</dd></div>
                <div class="flex justify-between"><dt class="text-slate-500">{move || t().link_type}</dt><dd>{move || t().link_type_name(link)}</dd></div>
                <div class="flex justify-between"><dt class="text-slate-500">{move || t().mode}</dt><dd>{product.mode.clone()}</dd></div>
            </dl>
            <A href=format!("/corp/products/{}", product.id) attr:class="mt-3 inline-block text-sm text-indigo-600 hover:underline" attr:data-testid="product-devices">
                {move || t().open_devices} " →"
            </A>
            <Show when=move || editing.get()>
                <ProductEditForm product=edited.get_value() on_saved=Callback::new(move |_| { editing.set(false); reload.update(|n| *n += 1); })/>
            </Show>
            <Show when=move || can_manage>
                <div class="mt-3 flex gap-2">
                    <button type="button" data-testid="edit-product" on:click=move |_| editing.update(|e| *e = !*e)
                        class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                        {move || t().edit}
                    </button>
                    <Show when=move || !released>
                        <ConfirmButton label=Signal::derive(move || t().release.to_string())
                            message=Signal::derive(move || t().confirm_release_product.to_string())
                            on_confirm=Callback::new(move |_| { release.dispatch(()); }) testid="release-product"/>
                    </Show>
                    <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                        message=Signal::derive(move || t().confirm_delete_product.to_string())
                        on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-product" danger=true/>
                </div>
            </Show>
        </section>
    }
}

/// Changes a product's name, description, mode and link type.
#[component]
fn ProductEditForm(product: Product, on_saved: Callback<Product>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = StoredValue::new(product.id.clone());
    let (name, description, mode) = (
        RwSignal::new(product.name.clone()),
        RwSignal::new(product.description.clone()),
        RwSignal::new(product.mode.clone()),
    );
    let link_type = RwSignal::new(product.link_type);
    let name_err =
        Signal::derive(move || validate::text("name", &name.get(), 32).err().map(|_| t().err_required.to_string()));
    let save = Action::new(move |edit: &ProductEdit| {
        let edit = edit.clone();
        async move { edit_product(id.get_value(), edit).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(p)) = save.value().get() {
            save.value().set(None);
            on_saved.run(p);
        }
    });
    view! {
        <form class="mt-3 space-y-2 border-t border-slate-100 pt-3" data-testid="product-edit-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                if name_err.get().is_some() { return; }
                save.dispatch(ProductEdit {
                    name: Some(name.get()), description: Some(description.get()), mode: Some(mode.get()),
                    link_type: Some(link_type.get()), ..Default::default()
                });
            }>
            <TextField label=Signal::derive(move || t().product_name.to_string()) value=name error=name_err name="name"/>
            <TextField label=Signal::derive(move || t().mode.to_string()) value=mode name="mode"/>
            <TextField label=Signal::derive(move || t().description.to_string()) value=description name="description"/>
            <label class="block">
                <span class="text-sm font-medium">{move || t().link_type}</span>
                <select name="link_type" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                    on:change=move |ev| link_type.set(event_target_value(&ev).parse().unwrap_or(1))>
                    {(1..=5).map(|n| view! { <option value=n.to_string() selected=move || link_type.get() == n>{move || t().link_type_name(n)}</option> }).collect_view()}
                </select>
            </label>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">{move || t().save}</button>
        </form>
    }
}

//! Interactive documentation of `/v2` and `/api`: every operation of both OpenAPI documents,
//! with a form to send it from the browser and see the answer.

use leptos::prelude::*;
use serde_json::Value;

use crate::{
    components::{Brand, LangSwitch},
    i18n::use_i18n,
    model::error::ApiError,
};

/// Both OpenAPI documents (the ones served at `/v2/openapi.json` and `/api/openapi.json`), as
/// the JSON text of `[v2, api]`.
#[server(prefix = "/fn", endpoint = "/openapi_document")]
pub async fn openapi_document() -> Result<String, ApiError> {
    use crate::server::api::document;
    Ok(serde_json::json!([document("v2"), document("api")]).to_string())
}

/// The two APIs, in the order of [`openapi_document`]'s answer: name and what sets it apart.
const APIS: [(&str, &str); 2] = [
    ("/v2", "The original platform's API: errors as {\"error\":{\"code\",\"msg\"}}."),
    (
        "/api",
        "The operations platform's API (seed 003): every answer in the envelope {status, code, message, total, data}.",
    ),
];

/// One operation, flattened for display.
#[derive(Clone, Debug, PartialEq)]
struct Operation {
    method: String,
    path: String,
    tag: String,
    summary: String,
    auth: bool,
    example: Option<String>,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, methods) in paths {
        let Some(methods) = methods.as_object() else { continue };
        for (method, op) in methods {
            let schema = op.pointer("/requestBody/content/application~1json/schema");
            ops.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                tag: op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("").to_owned(),
                summary: op.get("summary").and_then(Value::as_str).unwrap_or("").to_owned(),
                auth: op.get("security").is_some(),
                example: schema.map(|s| serde_json::to_string_pretty(&example(s)).unwrap_or_default()),
            });
        }
    }
    ops
}

/// A skeleton value for a JSON schema, to start the request body from.
fn example(schema: &Value) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut map = serde_json::Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    map.insert(k.clone(), example(v));
                }
            }
            Value::Object(map)
        }
        Some("array") => Value::Array(vec![]),
        Some("integer") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        _ => Value::String(String::new()),
    }
}

#[component]
pub fn ApiDocs() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let doc = Resource::new(|| (), |_| openapi_document());
    let token = RwSignal::new(String::new());
    view! {
        {crate::components::page_title(|t| t.api_docs.to_owned())}
        <header class="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-3">
            <Brand/>
            <LangSwitch/>
        </header>
        <main class="mx-auto max-w-5xl px-6 py-8">
            <h1 class="text-2xl font-bold">{move || t().api_docs}</h1>
            <p class="mt-1 space-x-4 text-sm text-slate-500">
                <a class="text-indigo-600 hover:underline" href="/v2/openapi.json">"/v2/openapi.json"</a>
                <a class="text-indigo-600 hover:underline" href="/api/openapi.json">"/api/openapi.json"</a>
            </p>
            <label class="mt-4 block text-sm">
                <span class="font-medium">{move || t().access_token_hint}</span>
                <input type="text" data-testid="api-token" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
                    prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
            </label>
            <Suspense fallback=move || view! { <p>{move || t().loading}</p> }>
                {move || Suspend::new(async move {
                    let docs = doc.await.ok().and_then(|text| serde_json::from_str::<Vec<Value>>(&text).ok()).unwrap_or_default();
                    APIS.iter().zip(docs).map(|((name, about), doc)| {
                        let ops = operations(&doc);
                        view! {
                            <h2 class="mt-8 text-lg font-semibold" data-testid="api-section">{*name}</h2>
                            <p class="text-sm text-slate-500">{*about}</p>
                            <div class="mt-3 space-y-3">
                                {ops.into_iter().map(|op| view! { <OperationCard op=op token=token/> }).collect_view()}
                            </div>
                        }
                    }).collect_view()
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn OperationCard(op: Operation, token: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let open = RwSignal::new(false);
    let path = RwSignal::new(op.path.clone());
    let body = RwSignal::new(op.example.clone().unwrap_or_default());
    let answer = RwSignal::new(None::<String>);
    let has_body = op.example.is_some();
    let method = op.method.clone();
    let color = match op.method.as_str() {
        "GET" => "bg-emerald-100 text-emerald-800",
        "POST" => "bg-indigo-100 text-indigo-800",
        "PUT" => "bg-amber-100 text-amber-800",
        _ => "bg-red-100 text-red-800",
    };
    let send = move |_| {
        let (method, path, body, token) = (method.clone(), path.get(), body.get(), token.get());
        answer.set(Some("…".into()));
        leptos::task::spawn_local(async move {
            answer.set(Some(call(&method, &path, has_body.then_some(body), &token).await));
        });
    };
    view! {
        <section class="rounded-lg border border-slate-200 bg-white" data-testid="api-op">
            <button type="button" class="flex w-full items-center gap-3 px-4 py-3 text-left" on:click=move |_| open.update(|o| *o = !*o)>
                <span class=format!("w-16 rounded px-2 py-0.5 text-center text-xs font-bold {color}")>{op.method.clone()}</span>
                <code class="text-sm">{op.path.clone()}</code>
                <span class="ml-auto text-sm text-slate-500">{op.summary.clone()}</span>
                {op.auth.then(|| view! { <span class="text-xs text-slate-400">"🔒"</span> })}
            </button>
            <Show when=move || open.get()>
                <div class="space-y-3 border-t border-slate-100 px-4 py-3">
                    <input type="text" class="w-full rounded-md border border-slate-300 px-3 py-1 font-mono text-sm"
                        prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/>
                    <Show when=move || has_body>
                        <label class="block text-sm">
                            <span class="font-medium">{move || t().request_body}</span>
                            <textarea rows="6" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
                                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        </label>
                    </Show>
                    <button type="button" data-testid="api-send" on:click=send.clone()
                        class="rounded-md bg-indigo-600 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-700">
                        {move || t().send}
                    </button>
                    {move || answer.get().map(|a| view! {
                        <pre data-testid="api-answer" class="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">{a}</pre>
                    })}
                </div>
            </Show>
        </section>
    }
}

/// Sends one request from the browser and renders the status and body.
#[cfg(feature = "hydrate")]
async fn call(method: &str, path: &str, body: Option<String>, token: &str) -> String {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    async fn run(method: &str, path: &str, body: Option<String>, token: &str) -> Result<String, JsValue> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", "application/json")?;
        if !token.trim().is_empty() {
            headers.set("Access-Token", token.trim())?;
        }
        init.set_headers(&headers);
        if let Some(body) = body {
            init.set_body(&JsValue::from_str(&body));
        }
        let request = web_sys::Request::new_with_str_and_init(path, &init)?;
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
        let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        let pretty = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(text);
        Ok(format!("HTTP {}\n\n{}", response.status(), pretty))
    }
    run(method, path, body, token).await.unwrap_or_else(|e| format!("{e:?}"))
}

#[cfg(not(feature = "hydrate"))]
async fn call(_method: &str, _path: &str, _body: Option<String>, _token: &str) -> String {
    String::new()
}

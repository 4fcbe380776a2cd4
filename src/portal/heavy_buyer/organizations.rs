//! The key account's organization tree: create a child, rename, move under another parent,
//! reorder siblings, and delete after a confirmation that says what happens to the
//! sub-organizations, users and devices. Organization users see (and admins manage) the part
//! below their own organization.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::portal::partner::heavy_buyer_page;
use crate::{
    components::{dialog::Modal, ErrorNote},
    i18n::use_i18n,
    model::{
        error::ApiError,
        organization::{
            path_label, DeletionImpact, NewOrganization, Organization, OrganizationChange, OrganizationEdit,
            OrganizationTree, Tree, ROOT,
        },
    },
};

#[server(prefix = "/fn", endpoint = "/organizations", input = Json)]
pub async fn list_organizations() -> Result<OrganizationTree, ApiError> {
    use crate::server::{fns, service::organization};
    let (ctx, principal) = fns::caller().await?;
    organization::view(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/organization_add", input = Json)]
pub async fn add_organization(input: NewOrganization) -> Result<Organization, ApiError> {
    use crate::server::{
        fns,
        service::{organization, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    organization::create(&ctx, &principal, Account::Own, input).await.map_err(fns::refuse)
}

/// Renames, moves and reorders: one transaction for all of `changes`.
#[server(prefix = "/fn", endpoint = "/organization_change", input = Json)]
pub async fn change_organizations(changes: Vec<OrganizationChange>) -> Result<Vec<Organization>, ApiError> {
    use crate::server::{
        fns,
        service::{organization, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    organization::update_batch(&ctx, &principal, Account::Own, changes).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/organization_impact", input = Json)]
pub async fn organization_impact(id: i64) -> Result<DeletionImpact, ApiError> {
    use crate::server::{
        fns,
        service::{organization, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    organization::deletion_impact(&ctx, &principal, Account::Own, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/organization_delete", input = Json)]
pub async fn delete_organization(id: i64) -> Result<(), ApiError> {
    use crate::server::{
        fns,
        service::{organization, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    organization::delete(&ctx, &principal, Account::Own, id).await.map_err(fns::refuse)
}

/// `top` and the organizations below it, in the organizations given.
pub fn subtree_ids(orgs: &[Organization], top: i64) -> Vec<i64> {
    Tree::of(orgs).subtree(top)
}

/// A `<select>` of the organizations a seat may pick (the root first, when it sees the root),
/// minus those `exclude` says no to.
#[component]
pub fn OrgSelect(
    tree: OrganizationTree,
    value: RwSignal<String>,
    testid: &'static str,
    #[prop(optional)] exclude: Option<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let orgs = &tree.organizations;
    let ancestry = Tree::of(orgs);
    let options: Vec<(i64, String)> = orgs
        .iter()
        .filter(|o| exclude.is_none_or(|x| !ancestry.is_within(x, o.id)))
        .map(|o| (o.id, path_label(orgs, o.id)))
        .collect();
    let mut options = options;
    options.sort_by(|a, b| a.1.cmp(&b.1));
    view! {
        <select data-testid=testid class="w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            on:change=move |ev| value.set(event_target_value(&ev))>
            <option value="" selected=move || value.get().is_empty()>{move || t().choose_organization}</option>
            {(tree.top == ROOT).then(|| view! {
                <option value="0" selected=move || value.get() == "0">{move || t().root_organization}</option>
            })}
            {options.into_iter().map(|(id, label)| {
                let v = id.to_string();
                let v2 = v.clone();
                view! { <option value=v selected=move || value.get() == v2>{label}</option> }
            }).collect_view()}
        </select>
    }
}

/// What the tree is being asked to do at one node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Editing {
    AddChild(i64),
    Rename(i64),
    Move(i64),
}

/// Everything a node needs, cheap to copy into each button.
#[derive(Clone, Copy)]
struct TreeCtx {
    tree: StoredValue<OrganizationTree>,
    editing: RwSignal<Option<Editing>>,
    add: Action<NewOrganization, Result<Organization, ApiError>>,
    change: Action<Vec<OrganizationChange>, Result<Vec<Organization>, ApiError>>,
    ask_delete: Action<(i64, String), Result<(i64, String, DeletionImpact), ApiError>>,
    /// The organization being dragged onto a new parent, if any.
    dragging: RwSignal<Option<i64>>,
}

impl TreeCtx {
    fn children(&self, parent: i64) -> Vec<Organization> {
        let mut kids: Vec<Organization> =
            self.tree.with_value(|t| t.organizations.iter().filter(|o| o.parent == parent).cloned().collect());
        kids.sort_by_key(|o| (o.sort, o.id));
        kids
    }

    fn can_manage(&self) -> bool {
        self.tree.with_value(|t| t.can_manage)
    }

    /// The account's root and a user's own organization are not changed from here.
    fn changeable(&self, id: i64) -> bool {
        self.can_manage() && id != ROOT && self.tree.with_value(|t| t.top != id)
    }

    /// Whether the organization being dragged may be dropped under `target`: not onto itself
    /// or its own branch, and not where it already is.
    fn accepts(&self, target: i64) -> bool {
        let Some(moving) = self.dragging.get_untracked() else { return false };
        self.tree.with_value(|t| {
            let current = t.organizations.iter().find(|o| o.id == moving).map(|o| o.parent);
            t.can_manage && current != Some(target) && !Tree::of(&t.organizations).is_within(moving, target)
        })
    }

    /// Moves `id` under `parent`, after its new siblings.
    fn move_under(&self, id: i64, parent: i64) {
        self.change.dispatch(vec![OrganizationChange {
            id,
            edit: OrganizationEdit { parent: Some(parent), sort: Some(self.next_sort(parent)), ..Default::default() },
        }]);
    }

    /// A sort value after every current child of `parent`.
    fn next_sort(&self, parent: i64) -> i64 {
        self.children(parent).iter().map(|o| o.sort).max().map_or(0, |s| s + 10)
    }

    /// Swaps `id` with its neighbour (`-1` up, `1` down) by renumbering the siblings in one change.
    fn shift(&self, id: i64, parent: i64, by: isize) {
        let mut kids = self.children(parent);
        let Some(i) = kids.iter().position(|o| o.id == id) else { return };
        let j = i as isize + by;
        if j < 0 || j as usize >= kids.len() {
            return;
        }
        kids.swap(i, j as usize);
        let changes: Vec<OrganizationChange> = kids
            .iter()
            .enumerate()
            .filter(|(n, o)| o.sort != *n as i64 * 10)
            .map(|(n, o)| OrganizationChange {
                id: o.id,
                edit: OrganizationEdit { sort: Some(n as i64 * 10), ..Default::default() },
            })
            .collect();
        if !changes.is_empty() {
            self.change.dispatch(changes);
        }
    }
}

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    heavy_buyer_page(move |_| {
        let reload = RwSignal::new(0u32);
        let tree = Resource::new(move || reload.get(), |_| list_organizations());
        let editing = RwSignal::new(None::<Editing>);
        let error = RwSignal::new(None::<ApiError>);
        let add = Action::new(|input: &NewOrganization| add_organization(input.clone()));
        let change = Action::new(|changes: &Vec<OrganizationChange>| change_organizations(changes.clone()));
        let ask_delete = Action::new(|(id, name): &(i64, String)| {
            let (id, name) = (*id, name.clone());
            async move { organization_impact(id).await.map(|impact| (id, name, impact)) }
        });
        let remove = Action::new(|id: &i64| delete_organization(*id));
        let confirming = RwSignal::new(None::<(i64, String, DeletionImpact)>);
        let dialog_open = RwSignal::new(false);
        // Every successful change redraws the tree; a refusal is shown above it. One effect per
        // action, so an earlier outcome is never handled twice.
        let settle = move |outcome: Result<(), ApiError>| match outcome {
            Ok(()) => {
                editing.set(None);
                error.set(None);
                reload.update(|n| *n += 1);
            }
            Err(e) => error.set(Some(e)),
        };
        Effect::new(move |_| add.value().get().map(|r| settle(r.map(|_| ()))));
        Effect::new(move |_| change.value().get().map(|r| settle(r.map(|_| ()))));
        Effect::new(move |_| remove.value().get().map(settle));
        Effect::new(move |_| match ask_delete.value().get() {
            Some(Ok(found)) => {
                confirming.set(Some(found));
                dialog_open.set(true);
            }
            Some(Err(e)) => error.set(Some(e)),
            None => {}
        });
        view! {
            <div class="mb-4">
                <h1 class="text-2xl font-bold">{move || t().organizations_title}</h1>
                <p class="mt-1 text-sm text-slate-500">{move || t().organizations_hint}</p>
            </div>
            {move || error.get().map(|e| view! { <div class="mb-3"><ErrorNote error=e/></div> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match tree.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(loaded) => {
                            let top = loaded.top;
                            let cx = TreeCtx {
                                tree: StoredValue::new(loaded), editing, add, change, ask_delete, dragging: RwSignal::new(None),
                            };
                            view! {
                                <ul class="rounded-xl border border-slate-200 bg-white p-4" data-testid="org-tree">
                                    {top_node(cx, top)}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <Modal open=dialog_open title=Signal::derive(move || t().delete_organization_title.to_string())>
                {move || confirming.get().map(|(id, name, impact)| view! {
                    <div data-testid="delete-impact" class="space-y-2 text-sm">
                        <p class="font-medium">{format!("{} «{}»", t().delete_organization_title, name)}</p>
                        <ul class="list-disc space-y-1 pl-5">
                            <li data-testid="impact-organizations">{format!("{} {}", impact.organizations, t().impact_organizations)}</li>
                            <li data-testid="impact-users">{format!("{} {}", impact.users, t().impact_users)}</li>
                            <li data-testid="impact-devices">{format!("{} {}", impact.devices, t().impact_devices)}</li>
                        </ul>
                        <div class="flex justify-end gap-2 pt-2">
                            <button type="button" class="rounded-md border border-slate-300 px-3 py-1.5" on:click=move |_| dialog_open.set(false)>
                                {move || t().cancel}
                            </button>
                            <button type="button" data-testid="confirm-delete"
                                class="rounded-md bg-red-600 px-3 py-1.5 font-medium text-white hover:bg-red-700"
                                on:click=move |_| { dialog_open.set(false); remove.dispatch(id); }>
                                {move || t().delete}
                            </button>
                        </div>
                    </div>
                })}
            </Modal>
        }
    })
}

/// Where the drawing starts: the root for the account, the user's own organization otherwise.
fn top_node(cx: TreeCtx, top: i64) -> AnyView {
    let i18n = use_i18n();
    if top == ROOT {
        view! {
            <li data-testid="org-root">
                <NodeRow cx=cx id=ROOT parent=ROOT name=i18n.t().root_organization.to_owned()/>
                {branch(cx, ROOT)}
            </li>
        }
        .into_any()
    } else {
        let org = cx.tree.with_value(|t| t.organizations.iter().find(|o| o.id == top).cloned());
        match org {
            Some(o) => node(cx, o),
            None => ().into_any(),
        }
    }
}

fn branch(cx: TreeCtx, parent: i64) -> AnyView {
    let kids = cx.children(parent);
    if kids.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="ml-5 border-l border-slate-200 pl-3">
            {kids.into_iter().map(|o| node(cx, o)).collect_view()}
        </ul>
    }
    .into_any()
}

fn node(cx: TreeCtx, org: Organization) -> AnyView {
    view! {
        <li data-testid="org-node" data-name=org.name.clone() data-id=org.id>
            <NodeRow cx=cx id=org.id parent=org.parent name=org.name.clone()/>
            {branch(cx, org.id)}
        </li>
    }
    .into_any()
}

/// One line of the tree: the name, the actions the seat may take, and the form of the action
/// under way at this node.
#[component]
fn NodeRow(cx: TreeCtx, id: i64, parent: i64, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let changeable = cx.changeable(id);
    let can_add = cx.can_manage();
    let button = "rounded px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100";
    let text = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let drop_here = RwSignal::new(false);
    let start = move |e: Editing, initial: String| {
        text.set(initial);
        target.set(String::new());
        cx.editing.set(Some(e));
    };
    let name_for_rename = name.clone();
    let name_for_delete = name.clone();
    let save = move || match cx.editing.get_untracked() {
        Some(Editing::AddChild(p)) => {
            cx.add.dispatch(NewOrganization { name: text.get_untracked(), parent: p, sort: cx.next_sort(p) });
        }
        Some(Editing::Rename(i)) => {
            cx.change.dispatch(vec![OrganizationChange {
                id: i,
                edit: OrganizationEdit { name: Some(text.get_untracked()), ..Default::default() },
            }]);
        }
        Some(Editing::Move(i)) => {
            if let Ok(p) = target.get_untracked().parse::<i64>() {
                cx.move_under(i, p);
            }
        }
        None => {}
    };
    let here = move || {
        cx.editing
            .get()
            .filter(|e| matches!(e, Editing::AddChild(x) | Editing::Rename(x) | Editing::Move(x) if *x == id))
    };
    view! {
        <div data-testid="org-row" draggable=move || if changeable { "true" } else { "false" }
            class=move || format!("group flex flex-wrap items-center gap-1 rounded py-1 {}",
                if drop_here.get() { "bg-emerald-50 ring-1 ring-emerald-400" } else { "" })
            // Drag a row onto another to move it there (the Move button does the same).
            on:dragstart=move |ev| {
                if !changeable { return; }
                #[cfg(feature = "hydrate")]
                if let Some(data) = ev.data_transfer() {
                    // Firefox starts a drag only with some data set.
                    let _ = data.set_data("text/plain", &id.to_string());
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
                cx.dragging.set(Some(id));
            }
            on:dragend=move |_| cx.dragging.set(None)
            on:dragover=move |ev| {
                if cx.accepts(id) {
                    ev.prevent_default();
                    drop_here.set(true);
                }
            }
            on:dragleave=move |_| drop_here.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                drop_here.set(false);
                if cx.accepts(id) {
                    if let Some(moving) = cx.dragging.get_untracked() {
                        cx.move_under(moving, id);
                    }
                }
                cx.dragging.set(None);
            }>
            <span class="mr-2 font-medium" data-testid="org-name">{name.clone()}</span>
            <Show when=move || can_add>
                <button type="button" class=button data-testid="org-add-child"
                    on:click=move |_| start(Editing::AddChild(id), String::new())>{move || t().add_sub_organization}</button>
            </Show>
            <Show when=move || changeable>
                <button type="button" class=button data-testid="org-rename"
                    on:click={let n = name_for_rename.clone(); move |_| start(Editing::Rename(id), n.clone())}>{move || t().rename}</button>
                <button type="button" class=button data-testid="org-move"
                    on:click=move |_| start(Editing::Move(id), String::new())>{move || t().move_to}</button>
                <button type="button" class=button data-testid="org-up" title=move || t().move_up
                    on:click=move |_| cx.shift(id, parent, -1)>"↑"</button>
                <button type="button" class=button data-testid="org-down" title=move || t().move_down
                    on:click=move |_| cx.shift(id, parent, 1)>"↓"</button>
                <button type="button" class="rounded px-2 py-0.5 text-xs text-red-600 hover:bg-red-50" data-testid="org-delete"
                    on:click={let n = name_for_delete.clone(); move |_| { cx.ask_delete.dispatch((id, n.clone())); }}>{move || t().delete}</button>
            </Show>
        </div>
        {move || here().map(|e| {
            let field = match e {
                Editing::Move(_) => {
                    let tree = cx.tree.get_value();
                    view! { <div class="w-72"><OrgSelect tree=tree value=target testid="org-parent-select" exclude=id/></div> }.into_any()
                }
                _ => view! {
                    <input type="text" data-testid="org-name-input" maxlength="64" placeholder=move || t().organization_name
                        class="w-64 rounded-md border border-slate-300 px-2 py-1 text-sm"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { save() }/>
                }.into_any(),
            };
            view! {
                <div class="mb-2 flex items-center gap-2" data-testid="org-editor">
                    {field}
                    <button type="button" data-testid="org-save" on:click=move |_| save()
                        class="rounded-md bg-emerald-600 px-3 py-1 text-sm font-medium text-white hover:bg-emerald-700">{move || t().save}</button>
                    <button type="button" on:click=move |_| cx.editing.set(None)
                        class="rounded-md border border-slate-300 px-3 py-1 text-sm">{move || t().cancel}</button>
                </div>
            }
        })}
    }
}

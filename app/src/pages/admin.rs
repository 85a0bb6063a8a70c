//! Admin pages: the team (users and roles) and the audit log.

use crate::api::users::{list_audit, list_users, CreateUser, UpdateUser};
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::{Role, UserRow};
use crate::error::AppError;
use crate::format;
use crate::pages::forbidden::ForbiddenPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| crate::api::session::whoami());
    view! {
        <Title text="Team"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(u)) if u.role == Role::Admin => view! { <TeamPanel/> }.into_any(),
                    Ok(_) => view! { <ForbiddenPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An island: the list follows every change (a new member, a role, a deactivation behind
/// its confirmation) without leaving the page, and the form's messages show in place.
#[island]
fn TeamPanel() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let users = Resource::new(
        move || (create.version().get(), update.version().get()),
        |_| list_users(),
    );
    let create_error = move |field: &'static str| {
        move || {
            create
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.for_field(field))
        }
    };
    let update_error = move || {
        update
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };

    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) => view! {
                        <header class="page-head">
                            <h1>"Team"</h1>
                            <p class="lede">"Who can sign in to Amends, and what they may do."</p>
                        </header>
                        {move || update_error().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
                        <div class="table-wrap"><table class="data">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Role"</th>
                                <th scope="col">"Status"</th><th scope="col">"Last seen"</th><th scope="col">"Access"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| view! { <UserLine u update/> }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel narrow" aria-labelledby="add-user-h">
            <h2 id="add-user-h">"Add a team member"</h2>
            <ActionForm action=create attr:class="form">
                <label for="new-name">"Name"</label>
                <input id="new-name" name="name" required maxlength="200"/>
                {move || create_error("name")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="new-email">"Email"</label>
                <input id="new-email" name="email" type="email" required/>
                {move || create_error("email")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="viewer">"Viewer — reads dashboards and reports"</option>
                    <option value="editor">"Editor — records incidents, actions, replies"</option>
                    <option value="admin">"Admin — everything, including the team"</option>
                </select>
                <label for="new-password">"First password"</label>
                <input id="new-password" name="password" type="password" required minlength="12" maxlength="128" autocomplete="new-password"/>
                <p class="hint">"Give it to them in person; they sign in with it."</p>
                {move || create_error("password")().map(|m| view! { <p class="field-error">{m}</p> })}
                <button type="submit" class="button primary">"Add member"</button>
                {move || create.value().get().and_then(|r| r.ok()).map(|_| view! { <p class="notice notice-ok" role="status">"Added."</p> })}
            </ActionForm>
        </section>
    }
}

#[component]
fn UserLine(u: UserRow, update: ServerAction<UpdateUser>) -> impl IntoView {
    let (id_for_role, id_for_access) = (u.id.to_string(), u.id.to_string());
    let role_code = u.role.code();
    let (active_now, active_next) = (u.active.to_string(), (!u.active).to_string());
    let select_id = format!("role-{}", u.id);
    let select_label = format!("Role of {}", u.name);
    let current_role = u.role;
    let (confirming, set_confirming) = signal(false);
    view! {
        <tr>
            <th scope="row">{u.name.clone()}<span class="muted small">{u.email.clone()}</span></th>
            <td data-label="Role">
                <ActionForm action=update attr:class="inline-form">
                    <input type="hidden" name="id" value=id_for_role/>
                    <input type="hidden" name="active" value=active_now/>
                    <label class="visually-hidden" for=select_id.clone()>{select_label}</label>
                    <select id=select_id name="role">
                        {Role::ALL.iter().map(|r| view! {
                            <option value=r.code() selected=*r == current_role>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button small">"Save role"</button>
                </ActionForm>
            </td>
            <td data-label="Status">{if u.active {
                view! { <span class="badge active">"Active"</span> }.into_any()
            } else {
                view! { <span class="badge churned">"Deactivated"</span> }.into_any()
            }}</td>
            <td data-label="Last seen">{u.last_seen_at.map(format::date_time).unwrap_or_else(|| "—".into())}</td>
            <td data-label="Access">
                <ActionForm action=update attr:class="inline-form">
                    <input type="hidden" name="id" value=id_for_access/>
                    <input type="hidden" name="role" value=role_code/>
                    <input type="hidden" name="active" value=active_next/>
                    {if u.active {
                        view! {
                            <Show when=move || confirming.get() fallback=move || view! {
                                <button type="button" class="button small" on:click=move |_| set_confirming.set(true)>"Deactivate…"</button>
                            }>
                                <span class="small">"Sign them out and block sign-in?"</span>
                                <button type="submit" class="button small danger">"Yes, deactivate"</button>
                                <button type="button" class="button small" on:click=move |_| set_confirming.set(false)>"Cancel"</button>
                            </Show>
                        }.into_any()
                    } else {
                        view! { <button type="submit" class="button small">"Reactivate"</button> }.into_any()
                    }}
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (q.get("entity"), q.get("action"), page_param(q.get("page")))
    };
    let data = Resource::new(args, |(entity, action, page)| {
        list_audit(entity, action, page)
    });
    let selected = move |k: &str| query.read().get(k).unwrap_or_default();
    view! {
        <Title text="Audit log"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::Forbidden) => view! { <ForbiddenPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => {
                        let (page, count, total) = (p.page, p.page_count(), p.total);
                        let (entity, action) = (selected("entity"), selected("action"));
                        view! {
                            <header class="page-head">
                                <h1>"Audit log"</h1>
                                <p class="lede">"Every change and every sign-in: who, when, what, before and after."</p>
                            </header>
                            <form class="search" method="get" action="/admin/audit">
                                <label for="audit-entity">"What"</label>
                                <select id="audit-entity" name="entity">
                                    <option value="" selected=entity.is_empty()>"Everything"</option>
                                    <option value="user" selected=entity == "user">"Users"</option>
                                    <option value="session" selected=entity == "session">"Sign-ins"</option>
                                    {[("incident", "Incidents"), ("incident_note", "Incident notes"), ("customer", "Customers"),
                                      ("affected_customers", "Customers marked affected"), ("affected_customer", "Customers unmarked"),
                                      ("recovery_actions", "Recovery actions"), ("reply", "Replies"), ("api_token", "API tokens"),
                                      ("import", "Imports and webhook deliveries"), ("webhook_source", "Webhook sources")]
                                        .into_iter()
                                        .map(|(v, l)| view! { <option value=v selected=entity == v>{l}</option> })
                                        .collect_view()}
                                </select>
                                <label for="audit-action">"Action"</label>
                                <select id="audit-action" name="action">
                                    {[("", "Any"), ("create", "Created"), ("update", "Changed"), ("delete", "Deleted"),
                                      ("login_success", "Signed in"), ("login_failure", "Sign-in failed"), ("logout", "Signed out")]
                                        .into_iter()
                                        .map(|(v, l)| view! { <option value=v selected=action == v>{l}</option> })
                                        .collect_view()}
                                </select>
                                <button type="submit" class="button">"Filter"</button>
                            </form>
                            {if p.items.is_empty() {
                                view! { <Empty title="Nothing recorded"><p>"No entries match this filter."</p></Empty> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap"><table class="data">
                                        <thead><tr>
                                            <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                                            <th scope="col">"What"</th><th scope="col">"Before → after"</th><th scope="col">"From"</th>
                                        </tr></thead>
                                        <tbody>
                                            {p.items.into_iter().map(|a| view! {
                                                <tr>
                                                    <td data-label="When">{format::date_time(a.at)}</td>
                                                    <td data-label="Who">{a.user.unwrap_or_else(|| "—".into())}</td>
                                                    <td data-label="Action">{a.action.replace('_', " ")}</td>
                                                    <td data-label="What">{format!("{} {}", a.entity, a.entity_id.unwrap_or_default())}</td>
                                                    <td data-label="Change"><code class="diff">{format!("{} → {}", a.before.unwrap_or_else(|| "∅".into()), a.after.unwrap_or_else(|| "∅".into()))}</code></td>
                                                    <td data-label="From">{match (a.via, a.ip) {
                                                        (Some(token), _) => format!("API token “{token}”"),
                                                        (None, ip) => ip.unwrap_or_default(),
                                                    }}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <Pager page page_count=count total noun="entries" href=move |n| {
                                format!("/admin/audit?entity={}&action={}&page={n}", entity, action)
                            }/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

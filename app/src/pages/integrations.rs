//! Integrations (admins): the webhook sources — their URL, secret rotation, pause — and the
//! inbox of what they delivered, with a retry for held and failed deliveries.

use crate::api::integrations::{
    list_deliveries, list_sources, CreateSource, NewSource, RetryDelivery, RotateSecret,
    SetSourceActive, DELIVERY_STATUSES,
};
use crate::api::session::whoami;
use crate::components::forms::{field_msg, form_msg, typed, CopyField, FieldError, FormError};
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::integration::{hook_path, kind_label, DeliveryRow, SourceRow, KINDS};
use crate::domain::Role;
use crate::error::AppError;
use crate::format;
use crate::pages::forbidden::ForbiddenPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PAGE: &str = "/admin/integrations";

/// The events each kind of sender should send: `(event, what Amends makes of it)`.
fn events(kind: &str) -> &'static [(&'static str, &'static str)] {
    match kind {
        "stripe" => &[
            ("customer.subscription.deleted", "the customer churned"),
            (
                "credit_note.created",
                "a credit, when the note's metadata has amends_incident = the incident number",
            ),
            (
                "customer.updated",
                "a balance credit made while setting the customer's amends_incident metadata",
            ),
        ],
        "intercom" => &[
            ("conversation.user.replied", "a customer's reply"),
            ("conversation.user.created", "a customer's first message"),
        ],
        _ => &[
            ("reply.created", "a customer's reply"),
            ("customer.upserted", "a customer added or changed"),
            ("customer.churned", "a customer left"),
            ("action.given", "a recovery action given for an incident"),
        ],
    }
}

/// Where a sender's signing secret is found.
fn secret_help(kind: &str) -> &'static str {
    match kind {
        "stripe" => "In Stripe: Developers → Webhooks → your endpoint → Signing secret (whsec_…).",
        "intercom" => "In Intercom: Developer Hub → your app → Basic information → Client secret.",
        _ => "Not needed: Amends makes the secret and shows it once.",
    }
}

/// A refusal counted on a source, as a person says it.
fn refusal(reason: &str) -> String {
    match reason {
        "bad_signature" => "signature did not match".into(),
        "stale_timestamp" => "timestamp more than 5 minutes off".into(),
        "missing_header" => "signature headers missing".into(),
        "malformed" => "signature headers malformed".into(),
        "paused_source" => "source paused".into(),
        other => other.replace('_', " "),
    }
}

/// A sender's delivery id, cut to fit a table cell (the whole id is its title).
fn short_id(id: &str) -> String {
    if id.chars().count() > 16 {
        format!("{}…", id.chars().take(15).collect::<String>())
    } else {
        id.to_string()
    }
}

fn status_label(code: &str) -> &'static str {
    DELIVERY_STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Unknown")
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|q| q.get(k));
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Integrations"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(u)) if u.role == Role::Admin => view! {
                        <IntegrationsPanel source=q("source") status=q("status") page=q("page")
                            kind=typed("kind") name=typed("name")/>
                    }.into_any(),
                    Ok(_) => view! { <ForbiddenPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page is one island: secrets are shown once, in place, and the lists follow every
/// change. `source`, `status` and `page` filter the deliveries (the page's query); `kind`
/// and `name` are what was typed into "Add a source" before a refused no-JavaScript post.
#[island]
fn IntegrationsPanel(
    source: Option<String>,
    status: Option<String>,
    page: Option<String>,
    kind: Option<String>,
    name: Option<String>,
) -> impl IntoView {
    let create = ServerAction::<CreateSource>::new();
    let rotate = ServerAction::<RotateSecret>::new();
    let toggle = ServerAction::<SetSourceActive>::new();
    let retry = ServerAction::<RetryDelivery>::new();
    // The lists reload after a change that worked; a refusal leaves the open forms as typed.
    let changed = RwSignal::new(0u32);
    let bump = move || changed.update(|n| *n += 1);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            bump();
        }
    });
    Effect::new(move |_| {
        if matches!(rotate.value().get(), Some(Ok(_))) {
            bump();
        }
    });
    Effect::new(move |_| {
        if matches!(toggle.value().get(), Some(Ok(_))) {
            bump();
        }
    });
    Effect::new(move |_| {
        if matches!(retry.value().get(), Some(Ok(_))) {
            bump();
        }
    });
    // Which row's rotation was sent last, so its refusal shows in that row.
    let rotating = RwSignal::new(None::<i64>);

    let sources = Resource::new(move || changed.get(), |_| list_sources());
    let filter = {
        let (source, status, page) = (source.clone(), status.clone(), page);
        move || {
            (
                source.as_ref().and_then(|s| s.trim().parse::<i64>().ok()),
                status.clone().filter(|s| !s.trim().is_empty()),
                page_param(page.clone()),
            )
        }
    };
    let deliveries = Resource::new(
        move || (filter(), changed.get()),
        |((source, status, page), _)| list_deliveries(source, status, page),
    );
    let (source, status) = (source.unwrap_or_default(), status.unwrap_or_default());

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match sources.await {
                    Err(AppError::Forbidden) => view! { <ForbiddenPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) => {
                        let (origin, now) = (list.origin, list.now);
                        let count = list.sources.len();
                        view! {
                            <header class="page-head">
                                <h1>"Integrations"</h1>
                                <p class="lede">"Replies, churn and credits that other systems send by webhook. Each source has its own URL and signing secret; every delivery lands in the inbox below."</p>
                            </header>
                            <section class="panel" aria-labelledby="sources-h">
                                <h2 id="sources-h">"Sources" <span class="count">{count}</span></h2>
                                <RotatedNotice rotate rotating/>
                                {move || toggle.value().get().and_then(|r| r.err()).map(|e| view! {
                                    <p class="notice notice-error" role="alert">{e.to_string()}</p>
                                })}
                                {if list.sources.is_empty() {
                                    view! {
                                        <Empty title="No sources yet">
                                            <p>"Add one below for each system that sends Amends webhooks."</p>
                                        </Empty>
                                    }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap"><table class="data integ-sources">
                                            <caption class="visually-hidden">"Webhook sources"</caption>
                                            <thead><tr>
                                                <th scope="col">"Source"</th><th scope="col">"URL"</th>
                                                <th scope="col">"Status"</th><th scope="col">"Deliveries"</th>
                                                <th scope="col">"Refused"</th>
                                                <th scope="col">"Actions"</th>
                                            </tr></thead>
                                            <tbody>
                                                // Keyed by what an action changes, so a row whose rotation
                                                // or pause went through comes back with its forms closed.
                                                <For each=move || list.sources.clone()
                                                    key=|s| (s.id, s.active, s.previous_until)
                                                    let(s)>
                                                    <SourceLine s origin=origin.clone() now rotate toggle rotating/>
                                                </For>
                                            </tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        // The add form stays out of the lists' reloads, so what it shows matches its state.
        <AddSource create kind name/>
        <Transition fallback=|| ()>
            {move || {
            let (source, status) = (source.clone(), status.clone());
            Suspend::new(async move {
                // Refusals and outages show once, above.
                let names: Vec<(i64, String)> = match sources.await {
                    Ok(list) => list.sources.into_iter().map(|s| (s.id, s.name)).collect(),
                    Err(_) => return ().into_any(),
                };
                view! { <Deliveries deliveries names retry source status/> }.into_any()
            })}}
        </Transition>
    }
}

/// The secret a rotation made, shown once; or that a pasted one was taken. A refusal shows
/// in its row, or here when no row sent it (a form posted without JavaScript).
#[component]
fn RotatedNotice(
    rotate: ServerAction<RotateSecret>,
    rotating: RwSignal<Option<i64>>,
) -> impl IntoView {
    move || {
        rotate.value().get().map(|r| match r {
            Ok(r) => match r.secret {
                Some(secret) => view! {
                    <div class="notice notice-ok new-token" role="status">
                        <p>"New secret for “"{r.name.clone()}"”. Copy it now: it is not shown again. Put it in the sender within 24 hours; until then the old one still works."</p>
                        <CopyField id="rotated-secret" label="New signing secret" value=secret/>
                    </div>
                }
                .into_any(),
                None => view! {
                    <p class="notice notice-ok" role="status">
                        "Secret of “"{r.name.clone()}"” replaced. The old one keeps working for 24 hours."
                    </p>
                }
                .into_any(),
            },
            Err(e) if rotating.get().is_none() => view! {
                <p class="notice notice-error" role="alert">{e.to_string()}</p>
            }
            .into_any(),
            Err(_) => ().into_any(),
        })
    }
}

#[component]
fn SourceLine(
    s: SourceRow,
    origin: String,
    now: i64,
    rotate: ServerAction<RotateSecret>,
    toggle: ServerAction<SetSourceActive>,
    rotating: RwSignal<Option<i64>>,
) -> impl IntoView {
    let id = s.id;
    let url = format!("{origin}{}", hook_path(&s.slug));
    let grace = s.previous_until.filter(|until| *until > now);
    let rotate_error = move || {
        (rotating.get() == Some(id))
            .then(|| rotate.value().get().and_then(|r| r.err()))
            .flatten()
            .map(|e| e.to_string())
    };
    let secret_id = format!("rotate-secret-{id}");
    let rotate_form = match s.kind.as_str() {
        "standard" => view! {
            <p class="small">"Amends makes a new secret and shows it once. The current one keeps working for 24 hours while you update the sender."</p>
            <button type="submit" class="button small" on:click=move |_| rotating.set(Some(id))>"Make a new secret"</button>
        }
        .into_any(),
        kind => {
            let how = if kind == "stripe" {
                "Roll the endpoint's signing secret in Stripe, then paste the new one. The old one keeps working here for 24 hours."
            } else {
                "Regenerate your app's client secret in Intercom's Developer Hub, then paste it. The old one keeps working here for 24 hours."
            };
            view! {
                <p class="small">{how}</p>
                <label class="visually-hidden" for=secret_id.clone()>{format!("New signing secret of {}", s.name)}</label>
                <input id=secret_id name="secret" class="secret" required autocomplete="off" spellcheck="false"
                    placeholder=if kind == "stripe" { "whsec_…" } else { "client secret" }/>
                <button type="submit" class="button small" on:click=move |_| rotating.set(Some(id))>"Save new secret"</button>
            }
            .into_any()
        }
    };
    let attention = s.needing_attention;
    view! {
        <tr>
            <th scope="row">{s.name.clone()}<span class="muted small">{kind_label(&s.kind)}</span></th>
            <td data-label="URL"><code class="hook-url" title="The sender posts here">{url}</code></td>
            <td data-label="Status">
                {if s.active {
                    view! { <span class="badge active">"Active"</span> }.into_any()
                } else {
                    view! { <span class="badge integ-paused">"Paused"</span> }.into_any()
                }}
                {grace.map(|until| view! {
                    <span class="small block integ-note">{format!("Rotating: old secret works until {}", format::date_time(until))}</span>
                })}
            </td>
            <td data-label="Deliveries">
                <span class="integ-n">{format::count(s.deliveries)}</span>
                <span class="muted small block">{match s.last_delivery_at {
                    Some(t) => format!("last {}", format::date_time(t)),
                    None => "none yet".to_string(),
                }}</span>
                // Held and failed deliveries wait for a person: they stand out.
                {if attention > 0 {
                    view! {
                        <a class="badge integ-attention" href=format!("{PAGE}?source={id}")
                            title="Held or failed deliveries: see them below">
                            {format!("{} need attention", format::count(attention))}
                        </a>
                    }.into_any()
                } else {
                    view! { <span class="muted small block">"none need attention"</span> }.into_any()
                }}
            </td>
            <td data-label="Refused">
                <span class="integ-n">{format::count(s.rejected)}</span>
                {s.last_rejection.clone().map(|why| view! {
                    <span class="muted small block">{format!("last: {}", refusal(&why))}</span>
                    {s.last_rejected_at.map(|t| view! {
                        <span class="muted small block">{format::date_time(t)}</span>
                    })}
                })}
            </td>
            <td data-label="Actions" class="integ-actions">
                <details class="integ-rotate">
                    <summary>"Rotate secret…"</summary>
                    <ActionForm action=rotate attr:class="integ-stack">
                        <input type="hidden" name="id" value=id.to_string()/>
                        {rotate_form}
                        {move || rotate_error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    </ActionForm>
                </details>
                {if s.active {
                    view! {
                        <details class="confirm">
                            <summary>"Pause…"</summary>
                            <ActionForm action=toggle attr:class="inline-form">
                                <input type="hidden" name="id" value=id.to_string()/>
                                <input type="hidden" name="active" value="false"/>
                                <span class="small">"Deliveries will be refused until you resume."</span>
                                <button type="submit" class="button small danger">"Yes, pause"</button>
                            </ActionForm>
                        </details>
                    }.into_any()
                } else {
                    view! {
                        <ActionForm action=toggle attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="active" value="true"/>
                            <button type="submit" class="button small">"Resume"</button>
                        </ActionForm>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn AddSource(
    create: ServerAction<CreateSource>,
    kind: Option<String>,
    name: Option<String>,
) -> impl IntoView {
    let first = kind
        .filter(|k| KINDS.iter().any(|(c, _)| c == k))
        .unwrap_or_else(|| "standard".into());
    let kind = RwSignal::new(first.clone());
    // Without JavaScript the secret field stays, with the help for both senders that use it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let shown = move || hydrated.get().then(|| kind.get());
    let value = create.value();
    // Once added, the form is empty again for the next source (its result shows below).
    let form = NodeRef::<leptos::html::Form>::new();
    let default_kind = first.clone();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            #[cfg(feature = "hydrate")]
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
            kind.set(default_kind.clone());
        }
    });
    view! {
        <section class="panel" aria-labelledby="add-source-h">
            <h2 id="add-source-h">"Add a source"</h2>
            <ActionForm action=create node_ref=form attr:class="form integ-form">
                <label for="src-kind">"Sends from"</label>
                <select id="src-kind" name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {KINDS.iter().map(|(code, label)| view! {
                        <option value=*code selected=*code == first>{*label}</option>
                    }).collect_view()}
                </select>
                <FieldError message=field_msg(value, "kind") id="src-kind-error"/>
                <label for="src-name">"Name"</label>
                <input id="src-name" name="name" required maxlength="100" placeholder="Stripe live"
                    value=name.unwrap_or_default()/>
                <FieldError message=field_msg(value, "name") id="src-name-error"/>
                <div class="integ-field" hidden=move || shown().is_some_and(|k| k == "standard")>
                    <label for="src-secret">"Signing secret (Stripe and Intercom)"</label>
                    <input id="src-secret" name="secret" class="secret" autocomplete="off" spellcheck="false"
                        placeholder="whsec_… or client secret"/>
                    {move || match shown() {
                        Some(k) => view! { <p class="hint">{secret_help(&k)}</p> }.into_any(),
                        None => view! {
                            <p class="hint">{secret_help("stripe")}</p>
                            <p class="hint">{secret_help("intercom")}</p>
                            <p class="hint">"Leave it empty for Standard Webhooks: Amends makes that secret."</p>
                        }.into_any(),
                    }}
                </div>
                <FieldError message=field_msg(value, "secret") id="src-secret-error"/>
                {move || shown().filter(|k| k == "standard").map(|_| view! {
                    <p class="hint">"Amends makes the signing secret and shows it once, with the URL."</p>
                })}
                <FormError message=form_msg(value)/>
                <button type="submit" class="button primary">"Add source"</button>
            </ActionForm>
            {move || value.get().and_then(|r| r.ok()).map(|made| view! { <Created made/> })}
        </section>
    }
}

/// A source just added: its URL, its secret (once) and what to send.
#[component]
fn Created(made: NewSource) -> impl IntoView {
    let kind = made.source.kind.clone();
    let setup = match kind.as_str() {
        "stripe" => "In Stripe: Developers → Webhooks → Add endpoint, with this URL and these events:",
        "intercom" => "In Intercom's Developer Hub: your app → Webhooks, with this URL and these topics:",
        _ => "Have your system sign each delivery with this secret (Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature headers) and post JSON {\"type\", \"timestamp\", \"data\"} to this URL. The events:",
    };
    let once = made.secret.is_some();
    view! {
        <div class="notice notice-ok new-token integ-created" role="status">
            <p><strong>{format!("Source “{}” added.", made.source.name)}</strong>
                {once.then_some(" Copy its secret now: it is not shown again.")}</p>
            <CopyField id="new-source-url" label="URL" value=made.url.clone()/>
            {made.secret.clone().map(|secret| view! {
                <CopyField id="new-source-secret" label="Signing secret" value=secret/>
            })}
            <p class="integ-setup">{setup}</p>
            <ul class="integ-events">
                {events(&kind).iter().map(|(event, what)| view! {
                    <li><code>{*event}</code>" — "{*what}</li>
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn Deliveries(
    deliveries: Resource<Result<crate::domain::Page<DeliveryRow>, AppError>>,
    names: Vec<(i64, String)>,
    retry: ServerAction<RetryDelivery>,
    /// The filter the page was opened with.
    source: String,
    status: String,
) -> impl IntoView {
    let initial = {
        let (source, status) = (source.clone(), status.clone());
        move |k: &str| {
            if k == "source" {
                source.clone()
            } else {
                status.clone()
            }
        }
    };
    let filtered = !source.is_empty() || !status.is_empty();
    view! {
        <section class="integ-inbox" id="deliveries" aria-labelledby="deliveries-h">
            <h2 id="deliveries-h">"Deliveries"</h2>
            <form method="get" action=PAGE class="filters" aria-label="Filter deliveries" autocomplete="off">
                <div class="field">
                    <label for="d-source">"Source"</label>
                    <select id="d-source" name="source">
                        <option value="">"All sources"</option>
                        {names.into_iter().map(|(id, name)| {
                            let v = id.to_string();
                            view! { <option selected=initial("source") == v value=v.clone()>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="d-status">"Status"</label>
                    <select id="d-status" name="status">
                        <option value="">"Any"</option>
                        {DELIVERY_STATUSES.iter().map(|(code, label)| view! {
                            <option value=*code selected=initial("status") == *code>{*label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter-buttons">
                    <button type="submit" class="button">"Apply"</button>
                    <a href=PAGE class="button subtle">"Clear"</a>
                </div>
            </form>
            {move || retry.value().get().map(|r| match r {
                Ok(d) => {
                    let class = match d.status.as_str() {
                        "processed" | "ignored" => "notice notice-ok",
                        _ => "notice notice-warn",
                    };
                    view! {
                        <p class=class role="status">
                            {format!("Delivery {} from “{}” is now {}: {}", short_id(&d.delivery_id), d.source_name,
                                status_label(&d.status).to_lowercase(), d.outcome)}
                        </p>
                    }.into_any()
                }
                Err(e) => view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            <Transition fallback=Loading>
                {move || {
                    let (source, status) = (source.clone(), status.clone());
                    Suspend::new(async move {
                    match deliveries.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(p) if p.total == 0 && filtered => view! {
                            <Empty title="No deliveries match"><p>"Nothing fits this filter. " <a href=PAGE>"Show all"</a> "."</p></Empty>
                        }.into_any(),
                        Ok(p) if p.total == 0 => view! {
                            <Empty title="No deliveries yet"><p>"Point a sender at a source's URL above."</p></Empty>
                        }.into_any(),
                        Ok(p) => {
                            let (page, count, total) = (p.page, p.page_count(), p.total);
                            view! {
                                <div class="table-wrap"><table class="data integ-deliveries">
                                    <caption class="visually-hidden">"Webhook deliveries, newest first"</caption>
                                    <thead><tr>
                                        <th scope="col">"Received"</th><th scope="col">"Source"</th>
                                        <th scope="col">"Event · delivery id"</th><th scope="col">"Status"</th>
                                        <th scope="col">"Outcome"</th><th scope="col" class="num">"Attempts"</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.items.into_iter().map(|d| view! { <DeliveryLine d retry/> }).collect_view()}
                                    </tbody>
                                </table></div>
                                <Pager page page_count=count total noun="deliveries" href=move |n| {
                                    format!("{PAGE}?{}", format::query_string(&[
                                        ("source", &Some(source.clone())),
                                        ("status", &Some(status.clone())),
                                        ("page", &Some(n.to_string())),
                                    ]))
                                }/>
                            }.into_any()
                        }
                    }
                })}}
            </Transition>
        </section>
    }
}

#[component]
fn DeliveryLine(d: DeliveryRow, retry: ServerAction<RetryDelivery>) -> impl IntoView {
    let badge = format!("badge delivery-{}", d.status);
    let retryable = d.retryable();
    let label = format!("Retry delivery {}", d.delivery_id);
    let received = format::date_time(d.received_at);
    let (day, time) = received
        .split_once(' ')
        .map(|(d, t)| (d.to_string(), t.to_string()))
        .unwrap_or((received.clone(), String::new()));
    view! {
        <tr>
            <td data-label="Received" class="nowrap">{day}<span class="muted small block">{time}</span></td>
            <td data-label="Source">{d.source_name.clone()}</td>
            <td data-label="Event">
                {if d.event_type.is_empty() {
                    view! { <span class="muted">"(none)"</span> }.into_any()
                } else {
                    view! { <code>{d.event_type.clone()}</code> }.into_any()
                }}
                <span class="muted small block integ-id" title=d.delivery_id.clone()>{short_id(&d.delivery_id)}</span>
            </td>
            <td data-label="Status">
                <span class=badge>{status_label(&d.status)}</span>
                {retryable.then(|| view! {
                    <ActionForm action=retry attr:class="inline-form integ-retry">
                        <input type="hidden" name="id" value=d.id.to_string()/>
                        <button type="submit" class="button small" aria-label=label
                            title="Process it again, once the cause is fixed">"Retry"</button>
                    </ActionForm>
                })}
            </td>
            <td data-label="Outcome" class="integ-outcome">{if d.outcome.is_empty() { "—".to_string() } else { d.outcome.clone() }}</td>
            <td data-label="Attempts" class="num">{d.attempts}</td>
        </tr>
    }
}

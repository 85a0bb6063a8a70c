//! The API token panels of the account page: make a token (its secret shown once), and the
//! list of tokens with their use and a revoke button behind a confirmation.

use crate::api::tokens::{all_tokens, my_tokens, CreateToken, RevokeToken};
use crate::components::forms::CopyField;
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::token::TokenRow;
use crate::domain::TokenScope;
use crate::format;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// An island: the new token's secret is shown once, in place, and the lists follow every
/// change without leaving the page.
#[island]
pub fn TokenPanel(admin: bool) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let versions = move || (create.version().get(), revoke.version().get());
    let mine = Resource::new(versions, |_| my_tokens());
    let everyone = Resource::new(versions, move |_| async move {
        if admin {
            all_tokens().await.map(Some)
        } else {
            Ok(None)
        }
    });
    let error = move |field: &'static str| {
        move || {
            create
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.for_field(field))
        }
    };
    let revoke_error = move || {
        revoke
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="tokens-h">
            <h2 id="tokens-h">"API tokens"</h2>
            <p class="hint">
                "Scripts use a token to read and write through the REST API: "
                <code>"Authorization: Bearer amends_…"</code>". A token never does more than your role allows. "
                <a href="/api/docs">"API reference"</a>
            </p>
            <ActionForm action=create attr:class="form">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" required maxlength="100" placeholder="nightly CRM sync"/>
                {move || error("name")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="token-scope">"Scope"</label>
                <select id="token-scope" name="scope">
                    <option value="read">"Read — list and fetch records"</option>
                    <option value="write">"Read and write — also create and change records"</option>
                </select>
                {move || error("scope")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="token-expires">"Expires after (optional)"</label>
                <input id="token-expires" name="expires" type="date"/>
                {move || error("expires")().map(|m| view! { <p class="field-error">{m}</p> })}
                <button type="submit" class="button primary">"Create token"</button>
            </ActionForm>
            {move || create.value().get().and_then(|r| r.ok()).map(|t| view! {
                <div class="notice notice-ok new-token" role="status">
                    <p>"Token “"{t.token.name.clone()}"” created. Copy it now: it is not shown again."</p>
                    <CopyField id="new-token-secret" label="Your new token" value=t.secret.clone()/>
                    <p class="hint">"Select it and copy; store it where your script keeps secrets."</p>
                </div>
            })}
            {move || revoke_error().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <h3>"Your tokens"</h3>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match mine.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <Empty title="No tokens yet">"Create one above when a script needs to reach Amends."</Empty>
                        }.into_any(),
                        Ok(list) => view! { <TokenTable list revoke show_owner=false/> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match everyone.await {
                        Ok(Some(list)) => view! {
                            <h3>"Everyone's tokens"</h3>
                            <TokenTable list revoke show_owner=true/>
                        }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TokenTable(
    list: Vec<TokenRow>,
    revoke: ServerAction<RevokeToken>,
    show_owner: bool,
) -> impl IntoView {
    let caption = if show_owner {
        "Every API token"
    } else {
        "Your API tokens"
    };
    view! {
        <div class="table-wrap"><table class="data">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>
                <th scope="col">"Name"</th>
                {show_owner.then(|| view! { <th scope="col">"Owner"</th> })}
                <th scope="col">"Scope"</th><th scope="col">"Created"</th>
                <th scope="col">"Last used"</th><th scope="col">"Expires"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|t| view! { <TokenLine t revoke show_owner/> }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn TokenLine(t: TokenRow, revoke: ServerAction<RevokeToken>, show_owner: bool) -> impl IntoView {
    let (confirming, set_confirming) = signal(false);
    let id = t.id.to_string();
    let scope = match t.scope {
        TokenScope::Read => "read",
        TokenScope::Write => "write",
    };
    let status = t.status();
    let name = format!("{} (…{})", t.name, t.hint);
    let label = format!("Revoke {}", t.name);
    view! {
        <tr>
            <th scope="row">{name}</th>
            {show_owner.then(|| view! { <td data-label="Owner">{t.owner.clone()}</td> })}
            <td data-label="Scope">{scope}</td>
            <td data-label="Created">{format::date_time(t.created_at)}</td>
            <td data-label="Last used">{t.last_used_at.map(format::date_time).unwrap_or_else(|| "never".into())}</td>
            <td data-label="Expires">{t.expires_at.map(format::date_time).unwrap_or_else(|| "never".into())}</td>
            <td data-label="Status">
                {if status == "live" {
                    view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <Show when=move || confirming.get() fallback=move || view! {
                                <button type="button" class="button small" aria-label=label.clone()
                                    on:click=move |_| set_confirming.set(true)>"Revoke…"</button>
                            }>
                                <span class="small">"Scripts using it will stop working."</span>
                                <button type="submit" class="button small danger">"Yes, revoke"</button>
                                <button type="button" class="button small" on:click=move |_| set_confirming.set(false)>"Cancel"</button>
                            </Show>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <span class="badge churned">{status}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

//! Marking customers affected: paste refs or emails (or load a CSV), preview what will
//! happen — matched, new, already linked, duplicates, malformed — then confirm. The preview
//! is a GET form, so it works without JS; loading a file into the box needs JS.

use crate::api::affected::{preview_affected, ConfirmAffected};
use crate::api::incidents::get_incident;
use crate::api::session::{can_edit, whoami};
use crate::components::forms::{field_msg, form_msg, FieldError, FormError};
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::affected::{AffectedPreview, PreviewLine};
use crate::error::AppError;
use crate::format;
use crate::pages::forbidden::ForbiddenPage;
use crate::pages::not_found::NotFoundPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AffectedPage() -> impl IntoView {
    let query = use_query_map();
    let id = super::positive_id();
    let list = move || query.read().get("list").filter(|l| !l.trim().is_empty());
    let incident = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_incident(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let preview = Resource::new(
        move || (id(), list()),
        |(id, list)| async move {
            match (id, list) {
                (Some(id), Some(list)) => Some(preview_affected(id, list).await),
                _ => None,
            }
        },
    );
    let me = Resource::new(|| (), |_| whoami());

    view! {
        <Title text="Add affected customers"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                if !can_edit(me.await) {
                    return view! { <ForbiddenPage needed=crate::domain::Role::Editor/> }.into_any();
                }
                let d = match incident.await {
                    Ok(d) => d,
                    Err(AppError::NotFound) => return view! { <NotFoundPage/> }.into_any(),
                    Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                };
                let id = d.id;
                let typed = list().unwrap_or_default();
                let kept = typed.clone();
                let previewed = preview.await;
                view! {
                    <nav class="crumbs" aria-label="Breadcrumb"><a href=format!("/incidents/{id}")>{format!("← {}", d.title)}</a></nav>
                    <header class="page-head">
                        <h1>"Add affected customers"</h1>
                        <p class="lede">{format!("Who did “{}” hit? {} marked so far.", d.title, format::count(d.affected_total))}</p>
                    </header>
                    <section class="panel">
                        <Form method="GET" action=format!("/incidents/{id}/affected") attr:class="form">
                            <label for="affected-list">"Refs or emails"</label>
                            <textarea id="affected-list" name="list" rows="8" required
                                placeholder="C-1042\nC-1043, C-2001\nada@example.com"
                                aria-describedby="affected-list-hint">{kept}</textarea>
                            <p class="hint" id="affected-list-hint">
                                "One per line or separated by commas. A CSV with a header row (ref, name, email, plan) also works; "
                                "unknown customers are created from it."
                            </p>
                            <CsvPicker/>
                            <button type="submit" class="button">"Preview"</button>
                        </Form>
                    </section>
                    {match previewed {
                        None => ().into_any(),
                        Some(Err(e)) => match e.for_field("list") {
                            Some(m) => view! { <p class="notice notice-error" role="alert">{m}</p> }.into_any(),
                            None => view! { <ErrorNotice error=e/> }.into_any(),
                        },
                        Some(Ok(p)) => view! { <PreviewView p id list=typed/> }.into_any(),
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

/// With JS (an island): choose a CSV file and its text lands in the box for preview.
#[island]
fn CsvPicker() -> impl IntoView {
    #[allow(unused_variables)]
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    let text = text.as_string().unwrap_or_default();
                    if let Some(area) = document()
                        .get_element_by_id("affected-list")
                        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                    {
                        area.set_value(&text);
                    }
                }
            });
        }
    };
    view! {
        <div class="file-pick js-only">
            <label for="affected-file">"…or load a CSV file"</label>
            <input id="affected-file" type="file" accept=".csv,text/csv,text/plain" on:change=on_change/>
        </div>
    }
}

#[component]
fn PreviewView(p: AffectedPreview, id: i64, list: String) -> impl IntoView {
    let confirm = ServerAction::<ConfirmAffected>::new();
    let n = p.to_add();
    let value = confirm.value();
    view! {
        <section class="panel" aria-labelledby="preview-h">
            <h2 id="preview-h">"Preview"</h2>
            <ul class="tally">
                <li class="ok">{format!("{} matched", p.matched.len())}</li>
                <li class="new">{format!("{} new", p.unknown.len())}</li>
                <li>{format!("{} already marked", p.already.len())}</li>
                <li>{format!("{} duplicates", p.duplicates.len())}</li>
                <li class="bad">{format!("{} malformed", p.malformed.len())}</li>
            </ul>
            <Group title="Matched" lines=p.matched class="ok"/>
            <Group title="Unknown — created as new customers when you confirm" lines=p.unknown class="new"/>
            <Group title="Already marked affected (skipped)" lines=p.already class=""/>
            <Group title="Duplicates (skipped)" lines=p.duplicates class=""/>
            <Group title="Malformed (skipped)" lines=p.malformed class="bad"/>
            {if n == 0 {
                view! { <p class="notice">"Nothing to add. Fix the list above and preview again."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=confirm attr:class="form">
                        <FormError message=form_msg(value)/>
                        <FieldError message=field_msg(value, "list") id="confirm-error"/>
                        <input type="hidden" name="incident" value=id.to_string()/>
                        <input type="hidden" name="list" value=list/>
                        <button type="submit" class="button primary">{format!("Confirm: mark {n} {} affected", if n == 1 { "customer" } else { "customers" })}</button>
                        <a class="button subtle" href=format!("/incidents/{id}")>"Cancel"</a>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Group(
    #[prop(into)] title: String,
    lines: Vec<PreviewLine>,
    #[prop(into)] class: String,
) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            <details class=format!("preview-group {class}") open=true>
                <summary>{format!("{title} ({})", lines.len())}</summary>
                <div class="table-wrap"><table class="data compact">
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Entry"</th><th scope="col">"Customer"</th><th scope="col">"Note"</th></tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| view! {
                            <tr>
                                <td data-label="Line">{l.line}</td>
                                <td data-label="Entry"><code>{l.text}</code></td>
                                <td data-label="Customer">{l.customer}</td>
                                <td data-label="Note">{l.note}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </details>
        }
    })
}

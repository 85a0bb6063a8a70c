//! Pieces every form uses: the message next to a field, the form-level error, the choices
//! of the domain's closed sets.

use crate::error::AppError;
use leptos::prelude::*;

/// The message for `field` from an action's last result.
pub fn field_msg<S, O>(value: S, field: &'static str) -> Signal<Option<String>>
where
    S: Get<Value = Option<Result<O, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        value
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.for_field(field))
    })
}

/// The action's error when it is not about one field (conflicts, permissions, outages).
pub fn form_msg<S, O>(value: S) -> Signal<Option<String>>
where
    S: Get<Value = Option<Result<O, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        value
            .get()
            .and_then(|r| r.err())
            .filter(|e| !matches!(e, AppError::Field { .. }))
            .map(|e| e.to_string())
    })
}

/// Once the action's last call succeeded, show the page afresh from the server (which draws
/// what changed): with `flash` (`key=value`) as its only query, or else reloaded as it is.
/// For the islands' forms; a form outside an island posts and the server answers the page.
pub fn reload_on_success<S, O>(value: S, flash: Option<&'static str>)
where
    S: Get<Value = Option<Result<O, AppError>>> + Send + Sync + 'static,
    O: 'static,
{
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            reload(flash);
        }
    });
}

/// Load the page again from the server; see [`reload_on_success`].
pub fn reload(flash: Option<&str>) {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let _ = match flash {
            Some(flash) => {
                let path = location.pathname().unwrap_or_default();
                location.replace(&format!("{path}?{flash}"))
            }
            None => location.reload(),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = flash;
}

#[component]
pub fn FieldError(
    #[prop(into)] message: Signal<Option<String>>,
    #[prop(into)] id: String,
) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="field-error" id=id.clone() role="alert">{m}</p> })
    }
}

#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })
    }
}

/// `<option>`s for a closed set: (code, label) pairs, with `selected` chosen.
pub fn options(choices: Vec<(&'static str, &'static str)>, selected: String) -> impl IntoView {
    choices
        .into_iter()
        .map(
            |(code, label)| view! { <option value=code selected=selected == code>{label}</option> },
        )
        .collect_view()
}

/// What was typed into `field` before a refused no-JavaScript post (see `api::keep_typed`).
pub fn typed(field: &str) -> Option<String> {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get(&format!("v.{field}")))
}

/// A read-only value to copy; focusing it selects it all.
#[component]
pub fn CopyField(id: &'static str, label: &'static str, value: String) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id readonly value=value class="secret" spellcheck="false" autocomplete="off"
            on:focus=|ev| {
                #[cfg(feature = "hydrate")]
                {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }/>
    }
}

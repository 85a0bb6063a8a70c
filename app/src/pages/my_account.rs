//! "Your account": change your password, and your API tokens.

use crate::api::account::ChangePassword;
use crate::api::session::whoami;
use crate::components::tokens::TokenPanel;
use crate::domain::Role;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Your account"/>
        <header class="page-head">
            <h1>"Your account"</h1>
        </header>
        <PasswordPanel/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = matches!(me.await, Ok(Some(u)) if u.role.allows(Role::Admin));
                view! { <TokenPanel admin/> }
            })}
        </Suspense>
    }
}

/// An island, so the form's messages (and "Password changed") show in place.
#[island]
fn PasswordPanel() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = move |field: &'static str| {
        move || {
            change
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.for_field(field))
        }
    };
    view! {
        <section class="panel narrow" aria-labelledby="pw-h">
            <h2 id="pw-h">"Change your password"</h2>
            <ActionForm action=change attr:class="form">
                <label for="current">"Current password"</label>
                <input id="current" name="current" type="password" required autocomplete="current-password"/>
                {move || error("current")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="new">"New password"</label>
                <input id="new" name="new" type="password" required minlength="12" maxlength="128" autocomplete="new-password"/>
                <p class="hint">"At least 12 characters. Your other signed-in devices will be signed out."</p>
                {move || error("new")().map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="confirm">"New password again"</label>
                <input id="confirm" name="confirm" type="password" required autocomplete="new-password"/>
                {move || error("confirm")().map(|m| view! { <p class="field-error">{m}</p> })}
                <button type="submit" class="button primary">"Change password"</button>
                {move || change.value().get().and_then(|r| r.ok()).map(|_| view! {
                    <p class="notice notice-ok" role="status">"Password changed. Other sessions were signed out."</p>
                })}
            </ActionForm>
        </section>
    }
}

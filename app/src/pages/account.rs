//! Sign-in and first-run setup pages. Both are plain forms posting to the server, so they
//! work before (and without) the wasm; the server redirects back here with what went wrong.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn login_message(code: &str) -> Option<&'static str> {
    match code {
        // One message for a wrong email and a wrong password: never reveal who has an account.
        "invalid" => {
            Some("That email and password do not match an account. Check both and try again.")
        }
        "unavailable" => Some("Amends cannot reach its database right now. Try again in a moment."),
        "already_set_up" => Some("Amends is already set up. Sign in with your account."),
        _ => None,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read().get(k).unwrap_or_default();
    // Initial values go into the HTML once; hydration must not overwrite what was typed.
    let initial = move |k: &str| query.with_untracked(|m| m.get(k).unwrap_or_default());
    let error = move || match q("error").as_str() {
        "throttled" => Some(match q("wait").parse::<u32>().unwrap_or(1) {
            0 | 1 => "Too many sign-in attempts. Try again in a minute.".to_string(),
            n => format!("Too many sign-in attempts. Try again in {n} minutes."),
        }),
        code => login_message(code).map(str::to_string),
    };
    view! {
        <Title text="Sign in"/>
        <section class="auth-card" aria-labelledby="login-h">
            <h1 id="login-h">"Sign in"</h1>
            {move || (!q("signed_out").is_empty()).then(|| view! {
                <p class="notice notice-ok" role="status">"You are signed out. See you soon."</p>
            })}
            {move || error().map(|m| view! { <p class="notice notice-error" role="alert" id="login-error">{m}</p> })}
            <form method="post" action="/login" class="form">
                <input type="hidden" name="next" value=initial("next")/>
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required
                    value=initial("email") aria-describedby="login-error"/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
            <p class="muted small">"Forgot your password? Ask an admin of your Amends for help."</p>
        </section>
    }
}

fn setup_message(code: &str) -> Option<&'static str> {
    match code {
        "name" => Some("Enter your name (up to 200 characters)."),
        "email" => Some("Enter an email address like ada@example.com."),
        "confirm" => Some("The two passwords differ; type the same one twice."),
        "unavailable" => Some("Amends cannot reach its database right now. Try again in a moment."),
        _ => None,
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read().get(k).unwrap_or_default();
    let initial = move |k: &str| query.with_untracked(|m| m.get(k).unwrap_or_default());
    let field_error = move |field: &'static str| {
        move || {
            (q("error") == field).then(|| {
                let text = if field == "password" {
                    q("why")
                } else {
                    setup_message(field).unwrap_or_default().to_string()
                };
                view! { <p class="field-error" id=format!("{field}-error")>{text}</p> }
            })
        }
    };
    view! {
        <Title text="Set up Amends"/>
        <section class="auth-card" aria-labelledby="setup-h">
            <p class="eyebrow">"First run"</p>
            <h1 id="setup-h">"Set up Amends"</h1>
            <p class="muted">"Create the first admin account. You can invite the rest of the team afterwards."</p>
            {move || (q("error") == "unavailable").then(|| view! {
                <p class="notice notice-error" role="alert">{setup_message("unavailable")}</p>
            })}
            <form method="post" action="/setup" class="form">
                <label for="name">"Your name"</label>
                <input id="name" name="name" required maxlength="200" autocomplete="name"
                    value=initial("name") aria-describedby="name-error"/>
                {field_error("name")}
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" required autocomplete="username"
                    value=initial("email") aria-describedby="email-error"/>
                {field_error("email")}
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" required minlength="12" maxlength="128"
                    autocomplete="new-password" aria-describedby="password-hint password-error"/>
                <p class="hint" id="password-hint">"At least 12 characters; a few unrelated words work well."</p>
                {field_error("password")}
                <label for="confirm">"Password again"</label>
                <input id="confirm" name="confirm" type="password" required autocomplete="new-password"
                    aria-describedby="confirm-error"/>
                {field_error("confirm")}
                <button type="submit" class="button primary">"Create admin and sign in"</button>
            </form>
        </section>
    }
}

//! The frame around every page: product name, navigation, footer.

use crate::api::session::whoami;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

const NAV: &[(&str, &str)] = &[
    ("/", "Dashboard"),
    ("/incidents", "Incidents"),
    ("/customers", "Customers"),
    ("/replies", "Replies"),
    ("/experiments", "Experiments"),
    ("/reports", "Reports"),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let path = use_location().pathname.get_untracked();

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="topbar-inner">
                <a class="brand" href="/" aria-label="Amends — dashboard">
                    <span class="brand-mark" aria-hidden="true">"✦"</span>
                    <span class="brand-name">"Amends"</span>
                </a>
                // Navigation and the account menu appear only for a signed-in person.
                <Suspense fallback=|| ()>
                    {move || {
                        let path = path.clone();
                        Suspend::new(async move {
                        me.await.ok().flatten().map(|u| view! {
                            <form method="post" action="/logout" class="who">
                                {(u.role == crate::domain::Role::Admin).then(|| view! {
                                    <a class="who-link" href="/admin/users">"Team"</a>
                                    <a class="who-link" href="/admin/audit">"Audit log"</a>
                                    <a class="who-link" href="/admin/integrations">"Integrations"</a>
                                })}
                                <a class="who-name" href="/account" title=format!("{} — your account", u.email)>{u.name.clone()}
                                    <span class="who-role">{u.role.label()}</span></a>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </form>
                            <PrimaryNav path=path editor=u.role.allows(crate::domain::Role::Editor)/>
                        })
                    })}}
                </Suspense>
            </div>
        </header>
        <main id="main" class="page">{children()}</main>
        <footer class="footer">
            <p>"Amends — recover well when you let customers down."</p>
        </footer>
    }
}

/// The main navigation, and the button that opens it on a phone: an island, the one piece
/// of the frame that needs the wasm. Every link loads its page from the server.
#[island]
fn PrimaryNav(
    /// The page's path, to mark its link as the current one.
    path: String,
    /// Editors and admins also see the pages that record data in bulk.
    editor: bool,
) -> impl IntoView {
    let (open, set_open) = signal(false);
    let is_current = move |href: &str| {
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    };
    view! {
        <button
            class="menu-toggle"
            type="button"
            aria-controls="primary-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open.update(|open| *open = !*open)
        >
            <span aria-hidden="true">"☰"</span>
            " Menu"
        </button>
        <nav id="primary-nav" class="primary-nav" class:open=move || open.get() aria-label="Main">
            <ul>
                {NAV
                    .iter()
                    .copied()
                    .chain(editor.then_some(("/import", "Import")))
                    .map(|(href, label)| {
                        view! {
                            <li>
                                <a href=href aria-current=is_current(href).then_some("page")>
                                    {label}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

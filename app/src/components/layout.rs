//! The frame around every page: product name, navigation, footer.

use crate::api::session::whoami;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

const NAV: &[(&str, &str)] = &[
    ("/", "Dashboard"),
    ("/incidents", "Incidents"),
    ("/customers", "Customers"),
    ("/replies", "Replies"),
    ("/reports", "Reports"),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let me = Resource::new(|| (), |_| whoami());
    let location = use_location();
    // Close the phone menu whenever the user navigates.
    Effect::new(move |_| {
        location.pathname.track();
        set_menu_open.set(false);
    });

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
                    {move || Suspend::new(async move {
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
                            <button
                                class="menu-toggle"
                                type="button"
                                aria-controls="primary-nav"
                                aria-expanded=move || menu_open.get().to_string()
                                on:click=move |_| set_menu_open.update(|open| *open = !*open)
                            >
                                <span aria-hidden="true">"☰"</span>
                                " Menu"
                            </button>
                            <PrimaryNav open=menu_open editor=u.role.allows(crate::domain::Role::Editor)/>
                        })
                    })}
                </Suspense>
            </div>
        </header>
        <main id="main" class="page">{children()}</main>
        <footer class="footer">
            <p>"Amends — recover well when you let customers down."</p>
        </footer>
    }
}

#[component]
fn PrimaryNav(
    open: ReadSignal<bool>,
    /// Editors and admins also see the pages that record data in bulk.
    editor: bool,
) -> impl IntoView {
    let location = use_location();
    let is_current = move |href: &str| {
        let path = location.pathname.get();
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    };
    view! {
        <nav id="primary-nav" class="primary-nav" class:open=move || open.get() aria-label="Main">
            <ul>
                {NAV
                    .iter()
                    .copied()
                    .chain(editor.then_some(("/import", "Import")))
                    .map(|(href, label)| {
                        view! {
                            <li>
                                <A href=href attr:aria-current=move || is_current(href).then_some("page")>
                                    {label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

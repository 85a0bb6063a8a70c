//! The document shell and the router: every page of Amends hangs off `App`.

use crate::components::layout::Layout;
use crate::pages::{
    account::{LoginPage, SetupPage},
    admin::{AuditPage, UsersPage},
    customer::{CustomerPage, NewCustomerPage},
    customers::CustomersPage,
    dashboard::DashboardPage,
    experiments::{ExperimentPage, ExperimentsPage},
    holdout::HoldoutPage,
    import::ImportPage,
    incident::IncidentPage,
    incident_affected::AffectedPage,
    incident_new::NewIncidentPage,
    incidents::IncidentsPage,
    integrations::IntegrationsPage,
    my_account::AccountPage,
    not_found::NotFoundPage,
    replies::RepliesPage,
    reports::{ReportsPage, WeeklyReportPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/amends.css"/>
        <Title formatter=|text: String| {
            if text.is_empty() { "Amends".to_string() } else { format!("{text} · Amends") }
        }/>
        <Router>
            <Layout>
                // Every page waits for its data on the server and arrives whole: fast enough
                // here, and readable without JavaScript (streamed parts need it).
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents") view=IncidentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/new") view=NewIncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id") view=IncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id/affected") view=AffectedPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id/holdout") view=HoldoutPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiments") view=ExperimentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiments/:id") view=ExperimentPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers") view=CustomersPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers/new") view=NewCustomerPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers/:id") view=CustomerPage ssr=SsrMode::Async/>
                    <Route path=path!("/replies") view=RepliesPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/weekly/:week") view=WeeklyReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/integrations") view=IntegrationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/setup") view=SetupPage/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// The page's Content-Security-Policy: scripts only from us or carrying this response's
/// nonce (the hydration script does), wasm allowed to compile, nothing framed or injected.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let Some(nonce) = use_nonce() else { return };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

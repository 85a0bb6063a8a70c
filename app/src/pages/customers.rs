//! Customers: search by ref, name or (for those who see addresses whole) email; paginated.

use crate::api::customers::list_customers;
use crate::api::session::whoami;
use crate::components::badges::ChurnBadge;
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::customer::sees_emails;
use crate::domain::UserInfo;
use crate::error::AppError;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let args = move || (query.read().get("q"), page_param(query.read().get("page")));
    let data = Resource::new(args, |(q, page)| list_customers(q, page));
    let me = Resource::new(|| (), |_| whoami());

    view! {
        <Title text="Customers"/>
        <header class="page-head with-actions">
            <div>
                <h1>"Customers"</h1>
                <p class="lede">"Everyone an incident can touch."</p>
            </div>
            <a href="/customers/new" class="button primary">"New customer"</a>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let placeholder = if by_email(me.await) { "Ref, name or email" } else { "Ref or name" };
                view! {
                    <form class="search" method="get" action="/customers" role="search">
                        <label for="customer-q">"Search customers"</label>
                        <input id="customer-q" type="search" name="q" value=query.with_untracked(|m| m.get("q").unwrap_or_default())
                            placeholder=placeholder maxlength="200" autocomplete="off"/>
                        <button type="submit" class="button">"Search"</button>
                    </form>
                }
            })}
        </Suspense>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let hint = if by_email(me.await) { "a name, a ref or an email" } else { "a name or a ref" };
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) if p.total == 0 => view! {
                        <Empty title="No customers found">
                            <p>{if q().is_empty() { "No customers yet.".to_string() } else { format!("Nothing matches “{}”. Try part of {hint}.", q()) }}</p>
                        </Empty>
                    }.into_any(),
                    Ok(p) => {
                        let (page, count, total) = (p.page, p.page_count(), p.total);
                        let search = q();
                        view! {
                            <div class="table-wrap"><table class="data">
                                <thead><tr>
                                    <th scope="col">"Customer"</th><th scope="col">"Ref"</th><th scope="col">"Plan"</th>
                                    <th scope="col" class="num">"Revenue / month"</th><th scope="col" class="num">"Incidents"</th>
                                    <th scope="col">"Since"</th><th scope="col">"Status"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|c| view! {
                                        <tr>
                                            <th scope="row" class="title-cell"><a href=format!("/customers/{}", c.id)>{c.name}</a><span class="muted small">{c.email.unwrap_or_default()}</span></th>
                                            <td data-label="Ref"><code>{c.external_ref}</code></td>
                                            <td data-label="Plan">{c.plan}</td>
                                            <td data-label="Revenue" class="num">{c.monthly_revenue.display()}</td>
                                            <td data-label="Incidents" class="num">{format::count(c.incidents)}</td>
                                            <td data-label="Since">{format::date(c.signed_up_at)}</td>
                                            <td data-label="Status"><ChurnBadge churned_at=c.churned_at/></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pager page page_count=count total noun="customers" href=move |n| {
                                if search.is_empty() { format!("/customers?page={n}") }
                                else { format!("/customers?q={}&page={n}", format::url_encode(&search)) }
                            }/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Whether the signed-in person may search by e-mail address: only those who see addresses
/// whole (the server applies the same rule to the search itself).
fn by_email(me: Result<Option<UserInfo>, AppError>) -> bool {
    me.ok().flatten().is_some_and(|u| sees_emails(u.role))
}

//! One customer: every incident that hit them, what they were given, what they said, and
//! whether they stayed. Editors can edit them and mark them churned or reactivated.

use crate::api::customers::{get_customer, CreateCustomer, SetChurn, UpdateCustomer};
use crate::api::session::{can_edit, whoami};
use crate::components::badges::{ChurnBadge, SentimentBadge, SeverityBadge, StatusBadge};
use crate::components::customer_fields::CustomerFields;
use crate::components::forms::{field_msg, form_msg, typed, FieldError, FormError};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::customer::CustomerForm;
use crate::domain::{CustomerDetail, Role};
use crate::error::AppError;
use crate::format;
use crate::pages::forbidden::ForbiddenPage;
use crate::pages::not_found::NotFoundPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CustomerPage() -> impl IntoView {
    let id = super::positive_id();
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_customer(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let can_edit = can_edit(me.await);
                match data.await {
                    Ok(d) => view! { <CustomerView d can_edit/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomerView(d: CustomerDetail, can_edit: bool) -> impl IntoView {
    // Plain forms: the server takes them and shows this page again (with a refusal's message).
    let update = ServerAction::<UpdateCustomer>::new();
    let churn = ServerAction::<SetChurn>::new();
    let c = d.customer.clone();
    let update_value = update.value();
    let update_error = Signal::derive(move || update_value.get().and_then(|r| r.err()));
    let refused = update_value.with_untracked(|v| matches!(v, Some(Err(_))));
    let churn_value = churn.value();
    let initial = CustomerForm {
        external_ref: c.external_ref.clone(),
        name: c.name.clone(),
        email: c.email.clone().unwrap_or_default(),
        plan: c.plan.clone(),
        monthly_revenue: format!(
            "{}",
            c.monthly_revenue.minor as f64
                / crate::domain::Money::scale(&c.monthly_revenue.currency) as f64
        ),
        currency: c.monthly_revenue.currency.clone(),
        signed_up_at: format::date(c.signed_up_at),
    };
    let mean = d.sentiment.mean;
    let shown = d.replies_shown();
    let truncated = (d.replies.len() as i64) < d.sentiment.replies;
    view! {
        <Title text=c.name.clone()/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/customers">"← All customers"</a></nav>
        <header class="page-head">
            <div class="badges"><ChurnBadge churned_at=c.churned_at/><code>{c.external_ref.clone()}</code></div>
            <h1>{if c.name.is_empty() { c.external_ref.clone() } else { c.name.clone() }}</h1>
            <p class="lede">{c.email.clone().unwrap_or_else(|| "No email on record".into())}</p>
        </header>
        <dl class="facts">
            <div><dt>"Plan"</dt><dd>{c.plan.clone()}</dd></div>
            <div><dt>"Revenue / month"</dt><dd>{c.monthly_revenue.display()}</dd></div>
            <div><dt>"Customer since"</dt><dd>{format::date(c.signed_up_at)}</dd></div>
            <div><dt>"Incidents"</dt><dd>{format::count(c.incidents)}</dd></div>
            <div><dt>"Mean sentiment"</dt><dd>{match mean {
                Some(m) => view! {
                    <SentimentBadge score=m/>
                    {truncated.then(|| view! { <span class="muted small">{format!(" over all {} replies", format::count(d.sentiment.replies))}</span> })}
                }.into_any(),
                None => "No replies".into_any(),
            }}</dd></div>
        </dl>
        {can_edit.then(|| view! {
            <section class="panel work" aria-labelledby="cust-work-h">
                <h2 id="cust-work-h">"Status"</h2>
                <ActionForm action=churn attr:class="form inline-fields">
                    <FormError message=form_msg(churn_value)/>
                    <input type="hidden" name="id" value=c.id.to_string()/>
                    <input type="hidden" name="version" value=d.version.to_string()/>
                    {if c.churned_at.is_some() {
                        view! {
                            <input type="hidden" name="churned" value="false"/>
                            <span>"They left. Back again?"</span>
                            <button type="submit" class="button">"Mark reactivated"</button>
                        }.into_any()
                    } else {
                        view! {
                            <input type="hidden" name="churned" value="true"/>
                            <label for="churn-at">"Churned on"</label>
                            <input id="churn-at" name="at" type="date" aria-describedby="churn-at-error"/>
                            <button type="submit" class="button danger">"Mark churned"</button>
                            <FieldError message=field_msg(churn_value, "at") id="churn-at-error"/>
                        }.into_any()
                    }}
                </ActionForm>
                <details class="edit" open=refused>
                    <summary>"Edit details"</summary>
                    <ActionForm action=update attr:class="form">
                        <FormError message=form_msg(update_value)/>
                        <input type="hidden" name="id" value=c.id.to_string()/>
                        <input type="hidden" name="version" value=d.version.to_string()/>
                        <CustomerFields initial error=update_error/>
                        <button type="submit" class="button primary">"Save changes"</button>
                    </ActionForm>
                </details>
            </section>
        })}
        <crate::components::recovery::CustomerSentiment id=c.id shown=shown.clone()/>
        <section class="panel" aria-labelledby="cust-incidents-h">
            <h2 id="cust-incidents-h">"Incidents that hit them " <span class="count">{format::count(c.incidents)}</span></h2>
            {if d.incidents.is_empty() {
                view! { <Empty title="No incidents"><p>"Nothing has gone wrong for this customer. Yet."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data">
                        <thead><tr><th scope="col">"Incident"</th><th scope="col">"Severity"</th><th scope="col">"Status"</th><th scope="col">"Started"</th></tr></thead>
                        <tbody>
                            {d.incidents.iter().map(|i| view! {
                                <tr>
                                    <th scope="row" class="title-cell"><a href=format!("/incidents/{}", i.id)>{i.title.clone()}</a></th>
                                    <td data-label="Severity"><SeverityBadge severity=i.severity/></td>
                                    <td data-label="Status"><StatusBadge status=i.status/></td>
                                    <td data-label="Started">{format::date_time(i.started_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="cust-actions-h">
            <h2 id="cust-actions-h">"What we gave them"</h2>
            {if d.actions.is_empty() {
                view! { <Empty title="Nothing given"><p>"No recovery actions for this customer."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data">
                        <thead><tr><th scope="col">"Action"</th><th scope="col">"Incident"</th><th scope="col" class="num">"Value"</th><th scope="col" class="num">"Cost"</th><th scope="col">"Given"</th></tr></thead>
                        <tbody>
                            {d.actions.iter().map(|a| view! {
                                <tr>
                                    <th scope="row">{a.kind.label()}</th>
                                    <td data-label="Incident"><a href=format!("/incidents/{}", a.incident_id)>{format!("#{}", a.incident_id)}</a></td>
                                    <td data-label="Value" class="num">{a.value.display()}</td>
                                    <td data-label="Cost" class="num">{a.cost.display()}</td>
                                    <td data-label="Given">{format::date_time(a.given_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="cust-replies-h">
            <h2 id="cust-replies-h">"What they said " <span class="count">{format::count(d.sentiment.replies)}</span></h2>
            {truncated.then(|| view! { <p class="muted small">{format!("Showing {shown}, newest first.")}</p> })}
            {if d.replies.is_empty() {
                view! { <Empty title="No replies"><p>"Their replies appear here as they are logged."</p></Empty> }.into_any()
            } else {
                view! {
                    <ul class="replies">
                        {d.replies.iter().map(|r| view! {
                            <li class="reply">
                                <div class="reply-meta">
                                    <span class="muted small">{format!("{} · {}", r.channel.label(), format::date_time(r.received_at))}</span>
                                    <SentimentBadge score=r.effective_sentiment() overridden=r.sentiment_manual.is_some()/>
                                </div>
                                <blockquote>{r.body.clone()}</blockquote>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let create = ServerAction::<CreateCustomer>::new();
    let me = Resource::new(|| (), |_| whoami());
    let value = create.value();
    let error = Signal::derive(move || value.get().and_then(|r| r.err()));
    view! {
        <Title text="New customer"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                if !can_edit(me.await) {
                    return view! { <ForbiddenPage needed=Role::Editor/> }.into_any();
                }
                view! {
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/customers">"← All customers"</a></nav>
                    <header class="page-head"><h1>"New customer"</h1>
                        <p class="lede">"Customers are also created when you mark an unknown ref affected."</p></header>
                    <section class="panel narrow">
                        <ActionForm action=create attr:class="form">
                            <FormError message=form_msg(value)/>
                            <CustomerFields initial=CustomerForm {
                                external_ref: typed("external_ref").unwrap_or_default(),
                                name: typed("name").unwrap_or_default(),
                                email: typed("email").unwrap_or_default(),
                                plan: typed("plan").unwrap_or_default(),
                                monthly_revenue: typed("monthly_revenue").unwrap_or_default(),
                                currency: typed("currency").unwrap_or_else(|| "USD".into()),
                                signed_up_at: typed("signed_up_at").unwrap_or_default(),
                            } error/>
                            <div class="form-actions">
                                <button type="submit" class="button primary">"Create customer"</button>
                                <a href="/customers" class="button subtle">"Cancel"</a>
                            </div>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

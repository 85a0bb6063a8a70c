//! The weekly report sent by itself: the admin's panel on the Reports page — when and to
//! whom, "send now", and the latest deliveries with their errors.

use crate::api::reports::{get_report_schedule, SaveReportSchedule, ScheduleView, SendReportNow};
use crate::components::forms::{field_msg, form_msg, FieldError, FormError};
use crate::components::states::ErrorNotice;
use crate::domain::schedule::{DeliveryRow, WEEKDAYS};
use crate::format;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Shown to admins only (the caller checks the role before drawing it).
#[component]
pub fn ReportSchedulePanel() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_report_schedule());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Settings v/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status(d: &DeliveryRow) -> String {
    match d.status.as_str() {
        "sent" => format!(
            "sent {}",
            d.sent_at.map(format::date_time).unwrap_or_default()
        ),
        "failed" => match d.next_attempt_at {
            Some(at) => format!(
                "failed; tried {}×, again {}",
                d.attempts,
                format::date_time(at)
            ),
            None => format!(
                "failed after {} {}",
                d.attempts,
                if d.attempts == 1 { "try" } else { "tries" }
            ),
        },
        _ => "sending…".into(),
    }
}

#[component]
fn Settings(v: ScheduleView) -> impl IntoView {
    let save = ServerAction::<SaveReportSchedule>::new();
    let send = ServerAction::<SendReportNow>::new();
    let value = save.value();
    let sent = send.value();
    let query = use_query_map();
    let s = v.schedule.clone();
    let notice = move || {
        let q = query.read();
        if q.get("saved").is_some() {
            Some("Saved.")
        } else if q.get("sent").is_some() {
            Some("Sent now: each delivery and how it went is listed below.")
        } else {
            None
        }
    };
    let state = if s.enabled {
        format!("On: the last full week's report goes out {}.", s.when())
    } else {
        "Off: reports go out only when someone sends them.".to_string()
    };
    view! {
        <section class="panel" aria-labelledby="schedule-h">
            <h2 id="schedule-h">"Sent by itself"</h2>
            <p class="muted">{state}" One process sends each week's report once, however many Amends servers run; a failure is retried and shows below."</p>
            {move || notice().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {(!s.email_ready).then(|| view! {
                <p class="notice notice-warn">"E-mail is not set up on this server: set AMENDS_SMTP_URL and AMENDS_MAIL_FROM to send to the recipients below."</p>
            })}
            <ActionForm action=save attr:class="form">
                <FormError message=form_msg(value)/>
                <label class="check"><input type="checkbox" name="enabled" value="on" checked=s.enabled/>" Send the weekly report by itself"</label>
                <div class="field-row">
                    <div>
                        <label for="schedule-weekday">"Day"</label>
                        <select id="schedule-weekday" name="weekday">
                            {WEEKDAYS.iter().enumerate().map(|(i, d)| view! {
                                <option value=(i + 1).to_string() selected=usize::from(s.weekday) == i + 1>{*d}</option>
                            }).collect_view()}
                        </select>
                        <FieldError message=field_msg(value, "weekday") id="schedule-weekday-error"/>
                    </div>
                    <div>
                        <label for="schedule-hour">{format!("Hour ({})", s.zone)}</label>
                        <select id="schedule-hour" name="hour">
                            {(0..24u8).map(|h| view! { <option value=h.to_string() selected=s.hour == h>{format!("{h:02}:00")}</option> }).collect_view()}
                        </select>
                        <FieldError message=field_msg(value, "hour") id="schedule-hour-error"/>
                    </div>
                </div>
                <label for="schedule-recipients">"E-mail to"</label>
                <textarea id="schedule-recipients" name="recipients" rows="2" maxlength="2000"
                    placeholder="lead@example.com, support-team@example.com" aria-describedby="schedule-recipients-error">{s.recipients.join(", ")}</textarea>
                <FieldError message=field_msg(value, "recipients") id="schedule-recipients-error"/>
                <label for="schedule-slack">"Slack (or compatible) incoming webhook"</label>
                <input id="schedule-slack" name="slack" type="url" maxlength="500" autocomplete="off"
                    placeholder=s.slack_hint.clone().map_or("https://hooks.slack.com/services/…".to_string(), |h| format!("set ({h}); paste a new one to replace it"))
                    aria-describedby="schedule-slack-hint schedule-slack-error"/>
                <p class="hint" id="schedule-slack-hint">"The address is a secret: it is kept to post the summary and never shown again."</p>
                <FieldError message=field_msg(value, "slack") id="schedule-slack-error"/>
                {s.slack_hint.is_some().then(|| view! {
                    <label class="check"><input type="checkbox" name="remove_slack" value="on"/>" Stop posting to the webhook"</label>
                })}
                <div class="form-actions"><button type="submit" class="button primary">"Save schedule"</button></div>
            </ActionForm>
            <ActionForm action=send attr:class="form inline-form">
                <FormError message=form_msg(sent)/>
                <button type="submit" class="button">"Send last week's report now"</button>
            </ActionForm>
            <h3>"Latest deliveries"</h3>
            {if v.deliveries.is_empty() {
                view! { <p class="muted small">"None yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data" id="deliveries">
                        <thead><tr><th scope="col">"Week"</th><th scope="col">"To"</th><th scope="col">"How"</th><th scope="col">"Status"</th><th scope="col">"Error"</th></tr></thead>
                        <tbody>
                            {v.deliveries.iter().map(|d| view! {
                                <tr>
                                    <th scope="row">{d.week.to_string()}</th>
                                    <td data-label="To">{if d.channel == "email" { "E-mail" } else { "Slack" }}</td>
                                    <td data-label="How">{if d.scheduled { "scheduled" } else { "sent now" }}</td>
                                    <td data-label="Status">{status(d)}</td>
                                    <td data-label="Error" class="small">{d.last_error.clone().unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

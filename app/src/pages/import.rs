//! Import: bring customers, replies, recovery actions or affected customers in from a CSV
//! file. The file is checked first (a dry run that writes nothing), then — when every row
//! passes — sent again for real. Both passes upload the file with `XMLHttpRequest` to
//! `POST /api/v1/imports/{kind}` so the page can show their progress (the server checks rows
//! as they arrive, so upload progress is processing progress). Needs JavaScript; without
//! it the page points to `amends import`.

use crate::api::session::{can_edit, whoami};
use crate::components::states::Loading;
use crate::domain::{ActionKind, Channel, Role};
use crate::format;
use crate::pages::forbidden::ForbiddenPage;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::Deserialize;

/// What a file can hold: the `kind` of the REST path, and its label.
const KINDS: &[(&str, &str)] = &[
    ("customers", "Customers"),
    ("replies", "Replies"),
    ("actions", "Recovery actions"),
    ("affected", "Affected customers"),
];

/// The answer of an import or a dry run (the server's `ImportReport`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Report {
    kind: String,
    dry_run: bool,
    committed: bool,
    rows: u64,
    new: u64,
    updated: u64,
    unchanged: u64,
    refused: u64,
    #[serde(default)]
    marked_affected: u64,
    /// The first refused rows (at most 50).
    #[serde(default)]
    refusals: Vec<Refusal>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Refusal {
    line: u64,
    #[serde(default)]
    column: String,
    reason: String,
}

/// Where the person is: choosing, sending (either pass), reading the check, done.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Step {
    Choose,
    /// The file is on its way; `percent` is `None` once all of it is sent and the server
    /// is writing the last rows and committing.
    Sending {
        dry_run: bool,
        percent: Option<u8>,
    },
    /// The dry run's report (or a real run's that refused rows: nothing was written).
    Checked(Report),
    /// Imported.
    Done(Report),
}

impl Step {
    /// 1 choose, 2 check, 3 import — for the step list.
    fn number(&self) -> u8 {
        match self {
            Step::Choose | Step::Sending { dry_run: true, .. } => 1,
            Step::Checked(_) | Step::Sending { dry_run: false, .. } => 2,
            Step::Done(_) => 3,
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Import"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                if !can_edit(me.await) {
                    return view! { <ForbiddenPage needed=Role::Editor/> }.into_any();
                }
                view! {
                    <header class="page-head">
                        <h1>"Import"</h1>
                        <p class="lede">"Bring customers, replies, recovery actions or affected customers in from a CSV file. Amends checks every row first and writes nothing until you confirm."</p>
                    </header>
                    <ImportFlow/>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The whole flow is an island: it runs in the browser (file, progress, reports).
#[island]
fn ImportFlow() -> impl IntoView {
    let kind = RwSignal::new(KINDS[0].0.to_string());
    let step = RwSignal::new(Step::Choose);
    let error = RwSignal::new(None::<String>);
    let file_input = NodeRef::<leptos::html::Input>::new();

    // Back to step 1: a new file or kind makes the last check meaningless.
    let reset = move || {
        #[cfg(feature = "hydrate")]
        upload::cancel();
        step.set(Step::Choose);
        error.set(None);
    };
    // Send the chosen file: a check (`dry_run`) or the import itself.
    let send = Callback::new(move |dry_run: bool| {
        #[cfg(feature = "hydrate")]
        {
            let file = file_input
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            match file {
                None => error.set(Some("Choose a CSV file first.".into())),
                Some(file) => upload::start(&kind.get_untracked(), &file, dry_run, step, error),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (dry_run, file_input);
    });
    let sending = Memo::new(move |_| {
        step.with(|s| match s {
            Step::Sending { dry_run, .. } => Some(*dry_run),
            _ => None,
        })
    });
    let current = Memo::new(move |_| step.with(Step::number));

    view! {
        <div class="import-layout">
            <div class="import-main">
                <section class="panel" aria-labelledby="import-file-h">
                    <h2 id="import-file-h" class="visually-hidden">"Choose a file"</h2>
                    <ol class="import-steps" aria-label="Steps">
                        {[(1u8, "Choose a file"), (2, "Check"), (3, "Import")].into_iter().map(|(n, label)| view! {
                            <li class:done={move || current.get() > n}
                                aria-current=move || (current.get() == n).then_some("step")>
                                <span class="import-step-n" aria-hidden="true">{n}</span>{label}
                            </li>
                        }).collect_view()}
                    </ol>
                    <form class="form js-only" on:submit=move |ev| {
                        ev.prevent_default();
                        send.run(true);
                    }>
                        <label for="import-kind">"What the file holds"</label>
                        <select id="import-kind" name="kind"
                            prop:value=move || kind.get()
                            on:change=move |ev| {
                                kind.set(event_target_value(&ev));
                                reset();
                            }>
                            {KINDS.iter().map(|(code, label)| view! { <option value=*code>{*label}</option> }).collect_view()}
                        </select>
                        <label for="import-file">"CSV file"</label>
                        <input id="import-file" name="file" type="file" accept=".csv,text/csv" node_ref=file_input
                            aria-describedby="import-file-hint"
                            on:change=move |_| reset()/>
                        <p class="hint" id="import-file-hint">"UTF-8, with a header row naming the columns (see “Columns”)."</p>
                        <div class="form-actions">
                            <button type="submit" class="button primary"
                                disabled=move || sending.get().is_some()>"Check file"</button>
                        </div>
                    </form>
                    <noscript>
                        <p class="notice notice-warn import-noscript">
                            "Importing in the browser needs JavaScript; on the command line use "
                            <code>"amends import KIND FILE.csv"</code> "."
                        </p>
                    </noscript>
                    {move || error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
                    {move || sending.get().map(|dry_run| view! { <Progress dry_run step/> })}
                </section>
                {move || match step.get() {
                    Step::Checked(r) => Some(view! { <Checked r send/> }.into_any()),
                    Step::Done(r) => Some(view! { <Done r on_again=Callback::new(move |()| {
                        if let Some(input) = file_input.get_untracked() {
                            input.set_value("");
                        }
                        reset();
                    })/> }.into_any()),
                    _ => None,
                }}
            </div>
            <ColumnsHelp kind=kind.into()/>
        </div>
    }
}

/// The progress bar while a file is sent.
#[component]
fn Progress(dry_run: bool, step: RwSignal<Step>) -> impl IntoView {
    let percent = move || {
        step.with(|s| match s {
            Step::Sending { percent, .. } => *percent,
            _ => None,
        })
    };
    let text = move || match percent() {
        None => "Finishing…".to_string(),
        Some(p) if dry_run => format!("Checking… {p}%"),
        Some(p) => format!("Importing… {p}%"),
    };
    view! {
        <div class="import-progress">
            <progress aria-label="Upload progress" max="100" value=move || percent().map(|p| p.to_string())></progress>
            <p class="import-progress-text" role="status">{text}</p>
        </div>
    }
}

/// The counts of a report, as a small two-column table.
#[component]
fn Counts(r: Report) -> impl IntoView {
    let rows = [
        ("Rows", r.rows, ""),
        ("New", r.new, "new"),
        ("Updated", r.updated, ""),
        ("Unchanged", r.unchanged, ""),
        ("Refused", r.refused, if r.refused > 0 { "bad" } else { "" }),
    ];
    view! {
        <table class="import-counts">
            <caption class="visually-hidden">"Counts"</caption>
            <tbody>
                {rows.into_iter().map(|(label, n, class)| view! {
                    <tr class=class>
                        <th scope="row">{label}</th>
                        <td>{format::count(n as i64)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Step 2: what the check found, and the way on.
#[component]
fn Checked(r: Report, send: Callback<bool>) -> impl IntoView {
    let more = r.refused.saturating_sub(r.refusals.len() as u64);
    let rows = r.rows;
    let passed = [
        (r.new, "new"),
        (r.updated, "to update"),
        (r.unchanged, "already in Amends"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", format::count(n as i64)))
    .collect::<Vec<_>>()
    .join(", ");
    let verdict = if r.refused > 0 {
        view! {
            <p class="notice notice-warn">"Fix these rows in your file and check it again — nothing was written."</p>
        }
        .into_any()
    } else if rows == 0 {
        view! { <p class="notice notice-warn">"The file has no rows under its header: nothing to import."</p> }
            .into_any()
    } else if r.new + r.updated == 0 {
        view! {
            <p class="notice notice-ok">"Everything in this file is already in Amends: nothing to import."</p>
        }
        .into_any()
    } else {
        view! {
            <div class="import-confirm">
                <p>{format!("Every row passed: {passed}.")}</p>
                <button type="button" class="button primary" on:click=move |_| send.run(false)>
                    {format!("Import {} {}", format::count(rows as i64), if rows == 1 { "row" } else { "rows" })}
                </button>
            </div>
        }
        .into_any()
    };
    let refusals = r.refusals.clone();
    view! {
        <section class="panel import-report" aria-labelledby="import-report-h">
            <h2 id="import-report-h">{if r.dry_run { "Check result" } else { "Not imported" }}</h2>
            <div class="import-result">
                <Counts r=r.clone()/>
                <div class="import-verdict">{verdict}</div>
            </div>
            {(!refusals.is_empty()).then(|| view! {
                <h3 id="import-refused-h">"Refused rows"</h3>
                <div class="table-wrap"><table class="data compact import-refusals" aria-labelledby="import-refused-h">
                    <thead><tr><th scope="col" class="num">"Line"</th><th scope="col">"Column"</th><th scope="col">"Reason"</th></tr></thead>
                    <tbody>
                        {refusals.into_iter().map(|f| view! {
                            <tr>
                                <td data-label="Line" class="num">{f.line}</td>
                                <td data-label="Column">{if f.column.is_empty() {
                                    view! { <span class="muted">"whole row"</span> }.into_any()
                                } else {
                                    view! { <code>{f.column}</code> }.into_any()
                                }}</td>
                                <td data-label="Reason">{f.reason}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
                {(more > 0).then(|| view! { <p class="muted small">{format!("… and {} more", format::count(more as i64))}</p> })}
            })}
        </section>
    }
}

/// Step 3: written.
#[component]
fn Done(r: Report, on_again: Callback<()>) -> impl IntoView {
    let (href, what) = match r.kind.as_str() {
        "customers" => ("/customers", "See the customers"),
        "replies" => ("/replies", "See the replies"),
        _ => ("/incidents", "See the incidents"),
    };
    view! {
        <section class="panel import-report" aria-labelledby="import-done-h">
            <h2 id="import-done-h">"Imported"</h2>
            <div class="import-result">
                <Counts r=r.clone()/>
                <div class="import-verdict">
                    <div class="notice notice-ok" role="status">
                        <p>{format!(
                            "Imported: {} new, {} updated, {} unchanged.",
                            format::count(r.new as i64), format::count(r.updated as i64), format::count(r.unchanged as i64)
                        )}</p>
                        {(r.marked_affected > 0).then(|| view! {
                            <p>{format!("{} customers newly marked affected by their incident.", format::count(r.marked_affected as i64))}</p>
                        })}
                    </div>
                    <div class="form-actions">
                        <a class="button" href=href>{what}</a>
                        <a class="button subtle" href="/">"Dashboard"</a>
                        <button type="button" class="button subtle" on:click=move |_| on_again.run(())>"Import another file"</button>
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The columns of one kind of file: (name, required, what goes in it).
fn columns(kind: &str) -> Vec<(&'static str, bool, String)> {
    let channels = || {
        format!(
            "{} (email if left out)",
            Channel::ALL
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let s = |t: &str| t.to_string();
    match kind {
        "customers" => vec![
            (
                "external_ref",
                true,
                s("their id in your systems, one word (the column may be called ref)"),
            ),
            ("name", false, s("full name")),
            ("email", false, s("e-mail address")),
            ("plan", false, s("plan name")),
            ("monthly_revenue", false, s("amount, like 49.00")),
            ("currency", false, s("ISO code, USD if left out")),
            ("signed_up_at", false, s("date or time")),
            (
                "churned_at",
                false,
                s("date or time; empty while they stay"),
            ),
        ],
        "replies" => vec![
            ("customer", true, s("their ref or e-mail")),
            ("received_at", true, s("time")),
            ("body", true, s("what they wrote")),
            ("external_id", false, s("your id for the reply")),
            ("incident", false, s("incident number, like 12 or #12")),
            ("channel", false, channels()),
            ("csat", false, s("rating from 1 to 5")),
        ],
        "actions" => vec![
            ("incident", true, s("incident number, like 12 or #12")),
            ("customer", true, s("their ref or e-mail")),
            (
                "kind",
                true,
                ActionKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ("given_at", true, s("time")),
            ("external_id", false, s("your id for the action")),
            ("value", false, s("amount, like 25.00")),
            ("cost", false, s("what it cost you; the value if left out")),
            ("currency", false, s("ISO code, USD if left out")),
            ("channel", false, channels()),
            ("note", false, s("free text")),
        ],
        _ => vec![
            ("incident", true, s("incident number, like 12 or #12")),
            ("customer", true, s("their ref or e-mail")),
        ],
    }
}

/// A tiny file of each kind: its header and one line.
fn example(kind: &str) -> &'static str {
    match kind {
        "customers" => "external_ref,name,email,plan,monthly_revenue,signed_up_at\nC-1042,Ada Lovelace,ada@example.com,pro,49.00,2025-03-14",
        "replies" => "customer,received_at,body,incident,csat\nC-1042,2026-11-20 14:05,\"Thanks, the credit helped.\",12,4",
        "actions" => "incident,customer,kind,given_at,value,currency\n12,C-1042,credit,2026-11-20 15:00,25.00,USD",
        _ => "incident,customer\n12,C-1042",
    }
}

/// "Columns": what a file of the chosen kind may hold, so a person can build one.
#[component]
fn ColumnsHelp(kind: Signal<String>) -> impl IntoView {
    let label = move || {
        let k = kind.get();
        KINDS
            .iter()
            .find(|(c, _)| *c == k)
            .map_or("", |(_, l)| *l)
            .to_lowercase()
    };
    view! {
        <aside class="panel import-help" aria-labelledby="import-help-h">
            <h2 id="import-help-h">"Columns"</h2>
            <p class="small muted">{move || format!(
                "The first line of a {} file names its columns, in any order; leave out the optional ones you don’t have.",
                label()
            )}</p>
            <dl class="import-columns">
                {move || columns(&kind.get()).into_iter().map(|(name, required, what)| view! {
                    <div>
                        <dt><code>{name}</code>{required.then(|| view! { <span class="badge import-required">"required"</span> })}</dt>
                        <dd>{what}</dd>
                    </div>
                }).collect_view()}
            </dl>
            <p class="small">
                "Times: RFC 3339 like " <code>"2026-11-20T14:05:00Z"</code> ", or "
                <code>"2026-11-20 14:05"</code> " in the team’s time zone."
            </p>
            <h3 class="import-example-h">"Example"</h3>
            <pre class="import-example"><code>{move || example(&kind.get())
                .lines()
                .map(|line| {
                    // A break may fall after any comma when the line is too long for the box.
                    let cells = line.split(',').map(str::to_string).collect::<Vec<_>>();
                    let last = cells.len().saturating_sub(1);
                    view! {
                        <span class="import-example-line">
                            {cells.into_iter().enumerate().map(|(i, cell)| view! {
                                {cell}{(i < last).then(|| view! { ","<wbr/> })}
                            }).collect_view()}
                            "\n"
                        </span>
                    }
                })
                .collect_view()}</code></pre>
            <p class="small muted">"Rows already in Amends count as unchanged, so importing a file twice adds nothing. Big files: "
                <code>"amends import KIND FILE.csv"</code> "."</p>
        </aside>
    }
}

/// The upload itself (browser only): one `XMLHttpRequest` at a time, its handlers kept alive
/// with it until the next upload or a reset.
#[cfg(feature = "hydrate")]
mod upload {
    use super::{Report, Step};
    use leptos::prelude::*;
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{File, ProgressEvent, XmlHttpRequest, XmlHttpRequestUpload};

    type Handler = Closure<dyn FnMut(ProgressEvent)>;

    struct InFlight {
        xhr: XmlHttpRequest,
        upload: XmlHttpRequestUpload,
        _handlers: [Handler; 4],
    }

    thread_local! {
        static CURRENT: RefCell<Option<InFlight>> = const { RefCell::new(None) };
    }

    /// A problem+json answer.
    #[derive(serde::Deserialize)]
    struct Problem {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        detail: Option<String>,
    }

    /// Stop the upload under way, if any; its handlers never run again.
    pub fn cancel() {
        if let Some(old) = CURRENT.with(|c| c.borrow_mut().take()) {
            old.upload.set_onprogress(None);
            old.upload.set_onload(None);
            old.xhr.set_onload(None);
            old.xhr.set_onerror(None);
            let _ = old.xhr.abort();
        }
    }

    /// Send `file` as a `kind` import (`dry_run`: only check it), moving `step` along.
    pub fn start(
        kind: &str,
        file: &File,
        dry_run: bool,
        step: RwSignal<Step>,
        error: RwSignal<Option<String>>,
    ) {
        cancel();
        error.set(None);
        let failed = move |m: &str| {
            step.set(Step::Choose);
            error.set(Some(m.to_string()));
        };
        let Ok(xhr) = XmlHttpRequest::new() else {
            return failed("This browser cannot upload files.");
        };
        let url = format!(
            "/api/v1/imports/{kind}?dry_run={dry_run}&file_name={}",
            crate::format::url_encode(&file.name())
        );
        if xhr.open_with_async("POST", &url, true).is_err() {
            return failed("This browser cannot upload files.");
        }
        let _ = xhr.set_request_header("Content-Type", "text/csv");
        let _ = xhr.set_request_header("Accept", "application/json, application/problem+json");
        let Ok(upload) = xhr.upload() else {
            return failed("This browser cannot upload files.");
        };

        let progress: Handler = Closure::new(move |ev: ProgressEvent| {
            if ev.length_computable() && ev.total() > 0.0 {
                let p = (ev.loaded() / ev.total() * 100.0).floor().clamp(0.0, 99.0) as u8;
                step.set(Step::Sending {
                    dry_run,
                    percent: Some(p),
                });
            }
        });
        // All of it sent: the server writes the last rows and commits.
        let sent: Handler = Closure::new(move |_: ProgressEvent| {
            step.set(Step::Sending {
                dry_run,
                percent: None,
            });
        });
        let answered: Handler = Closure::new(move |ev: ProgressEvent| {
            let Some(xhr) = ev
                .target()
                .and_then(|t| t.dyn_into::<XmlHttpRequest>().ok())
            else {
                return;
            };
            let status = xhr.status().unwrap_or(0);
            let body = xhr.response_text().ok().flatten().unwrap_or_default();
            finish(status, &body, step, error);
        });
        let broken: Handler = Closure::new(move |_: ProgressEvent| {
            step.set(Step::Choose);
            error.set(Some(
                "The file did not reach Amends: the connection failed. Check your network and try again."
                    .into(),
            ));
        });
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        upload.set_onload(Some(sent.as_ref().unchecked_ref()));
        xhr.set_onload(Some(answered.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(broken.as_ref().unchecked_ref()));

        step.set(Step::Sending {
            dry_run,
            percent: Some(0),
        });
        if xhr.send_with_opt_blob(Some(file)).is_err() {
            return failed("The file could not be sent. Choose it again and retry.");
        }
        CURRENT.with(|c| {
            *c.borrow_mut() = Some(InFlight {
                xhr,
                upload,
                _handlers: [progress, sent, answered, broken],
            })
        });
    }

    /// Read the answer: a report (200, or 422 with refused rows), else a problem to show.
    fn finish(status: u16, body: &str, step: RwSignal<Step>, error: RwSignal<Option<String>>) {
        if matches!(status, 200 | 422) {
            if let Ok(r) = serde_json::from_str::<Report>(body) {
                step.set(if r.committed {
                    Step::Done(r)
                } else {
                    Step::Checked(r)
                });
                return;
            }
        }
        let problem = serde_json::from_str::<Problem>(body).ok();
        let message = problem
            .and_then(|p| p.detail.filter(|d| !d.is_empty()).or(p.title))
            .unwrap_or_else(|| match status {
                401 => "Your session has ended: sign in again, then retry.".to_string(),
                403 => "Only editors and admins may import.".to_string(),
                _ => format!("Amends could not import the file (HTTP {status}). Try again."),
            });
        step.set(Step::Choose);
        error.set(Some(message));
    }
}

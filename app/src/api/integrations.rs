//! Webhook sources and their inbox (admins): add a source, rotate its secret, pause it, read
//! and retry its deliveries. A secret Amends makes is in one answer and nowhere else, ever again.

use crate::domain::integration::{DeliveryRow, SourceRow};
use crate::domain::Page;
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The statuses a delivery can have, `(code, label)`, in the order a person reads them.
pub const DELIVERY_STATUSES: &[(&str, &str)] = &[
    ("held", "Held"),
    ("failed", "Failed"),
    ("pending", "Pending"),
    ("processed", "Processed"),
    ("ignored", "Ignored"),
];

/// The sources, the origin their URLs start with (`https://amends.example.com`), and the
/// server's clock (the browser has none in `time`), to tell a rotation still in its grace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceList {
    pub origin: String,
    pub now: i64,
    pub sources: Vec<SourceRow>,
}

/// A source just added: where to point the sender, and the secret Amends made for a
/// Standard Webhooks source (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSource {
    pub source: SourceRow,
    pub url: String,
    pub secret: Option<String>,
}

/// A rotated secret: for a Standard Webhooks source the new one Amends made (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotated {
    pub id: i64,
    pub name: String,
    pub secret: Option<String>,
}

#[server(prefix = "/api/fn", endpoint = "integrations/sources")]
pub async fn list_sources() -> Result<SourceList, AppError> {
    super::require(Role::Admin)?;
    let sources = super::store()?.webhook_sources().await?;
    Ok(SourceList {
        origin: public_origin(),
        now: crate::domain::when::now_ms(),
        sources,
    })
}

/// Add a source. Stripe and Intercom sources take the secret their sender shows; Amends
/// makes one for a Standard Webhooks source and answers it here, once.
#[server(prefix = "/api/fn", endpoint = "integrations/create")]
pub async fn create_source(
    kind: String,
    name: String,
    secret: Option<String>,
) -> Result<NewSource, AppError> {
    let me = super::require(Role::Admin)?;
    // Never the secret: these go back into the page's URL.
    let typed = [("kind", kind.clone()), ("name", name.clone())];
    if kind.trim() == "standard" && super::plain_form_post().is_some() {
        // Without JavaScript the answer becomes a redirect, and the secret would be lost
        // with it: make nothing rather than a source nobody can sign for.
        let e = AppError::field(
            "kind",
            "Showing the new source's secret needs JavaScript in this browser.",
        );
        super::keep_typed("/api/fn/integrations/create", &e, &typed);
        return Err(e);
    }
    let form = crate::domain::integration::SourceForm {
        kind,
        name,
        secret: secret.unwrap_or_default(),
    };
    let made = async {
        let draft = form.parse()?;
        Ok::<_, AppError>(super::store()?.create_webhook_source(&draft, me.id).await?)
    }
    .await;
    match made {
        Ok((source, secret)) => {
            super::back_clean();
            let url = format!(
                "{}{}",
                public_origin(),
                crate::domain::integration::hook_path(&source.slug)
            );
            Ok(NewSource {
                source,
                url,
                secret,
            })
        }
        Err(e) => {
            super::keep_typed("/api/fn/integrations/create", &e, &typed);
            Err(super::fail(e))
        }
    }
}

/// Replace a source's secret: the one pasted (Stripe, Intercom), or a new one Amends makes
/// and answers once (Standard Webhooks). The old secret keeps working for a day.
#[server(prefix = "/api/fn", endpoint = "integrations/rotate")]
pub async fn rotate_secret(id: i64, secret: Option<String>) -> Result<Rotated, AppError> {
    let me = super::require(Role::Admin)?;
    let store = super::store()?;
    let source = store
        .webhook_sources()
        .await
        .map_err(|e| super::fail(e.into()))?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| super::fail(AppError::NotFound))?;
    if source.kind == "standard" && super::plain_form_post().is_some() {
        return Err(AppError::field(
            "secret",
            "Showing the new secret needs JavaScript in this browser.",
        ));
    }
    let secret = store
        .rotate_webhook_secret(id, secret, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    super::back_clean();
    Ok(Rotated {
        id,
        name: source.name,
        secret,
    })
}

/// Pause a source (its deliveries are refused) or resume it.
#[server(prefix = "/api/fn", endpoint = "integrations/active")]
pub async fn set_source_active(id: i64, active: bool) -> Result<(), AppError> {
    let me = super::require(Role::Admin)?;
    super::store()?
        .set_webhook_source_active(id, active, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    super::back_clean();
    Ok(())
}

/// The inbox, newest first: one source's or all, optionally one status.
#[server(prefix = "/api/fn", endpoint = "integrations/deliveries")]
pub async fn list_deliveries(
    source: Option<i64>,
    status: Option<String>,
    page: Option<u32>,
) -> Result<Page<DeliveryRow>, AppError> {
    super::require(Role::Admin)?;
    let status = status
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if let Some(s) = &status {
        if !DELIVERY_STATUSES.iter().any(|(c, _)| c == s) {
            return Err(super::fail(AppError::Invalid(format!(
                "status: “{s}” is not a delivery status (held, failed, pending, processed, ignored)."
            ))));
        }
    }
    let req = crate::domain::PageRequest::new(page, Some(25));
    super::store()?
        .webhook_deliveries(source, status, req)
        .await
        .map_err(|e| super::fail(e.into()))
}

/// Process a held or failed delivery again; answers it with its new status.
#[server(prefix = "/api/fn", endpoint = "integrations/retry")]
pub async fn retry_delivery(id: i64) -> Result<DeliveryRow, AppError> {
    let me = super::require(Role::Admin)?;
    let row = super::store()?
        .retry_delivery(id, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    super::back_clean();
    Ok(row)
}

/// Where senders reach this Amends: `AMENDS_PUBLIC_URL` when it is set (as the origin
/// check uses it), else the scheme and Host the request came with.
#[cfg(feature = "ssr")]
fn public_origin() -> String {
    if let Ok(url) = std::env::var("AMENDS_PUBLIC_URL") {
        let url = url.trim().trim_end_matches('/');
        if !url.is_empty() {
            return url.to_string();
        }
    }
    let Some(parts) = use_context::<http::request::Parts>() else {
        return String::new();
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let host = header("host")
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    let Some(host) = host else {
        return String::new();
    };
    // Behind a TLS-terminating proxy the request arrives as http; the proxy says so.
    let https = header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

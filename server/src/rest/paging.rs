//! Paging: `limit` (1–200, default 50) and an opaque `cursor` from the previous answer. The
//! next cursor is in the body (`next_cursor`) and in a `Link: <…>; rel="next"` header.

use super::problem::Problem;
use app::domain::{Page, PageRequest};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The paging parameters every list takes.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many items per page, 1–200 (default 50). A cursor keeps the limit it was made with.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page; omit it for the first page.
    pub cursor: Option<String>,
}

impl Paging {
    pub fn request(&self) -> Result<PageRequest, Problem> {
        if let Some(c) = self.cursor.as_deref().filter(|c| !c.is_empty()) {
            return decode(c).ok_or_else(|| {
                Problem::invalid(
                    "cursor",
                    "That cursor is not one this API gave out; start again without it.",
                )
            });
        }
        let limit = match self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    Problem::invalid(
                        "limit",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}."),
                    )
                })?,
        };
        Ok(PageRequest::new(Some(1), Some(limit)))
    }
}

fn encode(page: PageRequest) -> String {
    URL_SAFE_NO_PAD.encode(format!("p{}.{}", page.page, page.per_page))
}

fn decode(cursor: &str) -> Option<PageRequest> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (page, per) = text.strip_prefix('p')?.split_once('.')?;
    let (page, per): (u32, u32) = (page.parse().ok()?, per.parse().ok()?);
    ((1..=1_000_000).contains(&page) && (1..=MAX_LIMIT).contains(&per))
        .then(|| PageRequest::new(Some(page), Some(per)))
}

/// One page of a list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// How many items match, over all pages.
    pub total: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Answer a page as JSON, with the `Link` header to the next one.
pub fn respond<R, T: Serialize>(uri: &Uri, page: Page<R>, item: impl Fn(R) -> T) -> Response {
    let next = page
        .has_next()
        .then(|| encode(PageRequest::new(Some(page.page + 1), Some(page.per_page))));
    let body = Listed {
        total: page.total,
        next_cursor: next.clone(),
        items: page.items.into_iter().map(item).collect(),
    };
    let mut res = axum::Json(body).into_response();
    if let Some(cursor) = next {
        let kept: Vec<String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && !p.starts_with("limit="))
            .map(str::to_string)
            .chain(std::iter::once(format!("cursor={cursor}")))
            .collect();
        let link = format!("<{}?{}>; rel=\"next\"", uri.path(), kept.join("&"));
        if let Ok(v) = HeaderValue::from_str(&link) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let p = PageRequest::new(Some(3), Some(100));
        assert_eq!(decode(&encode(p)), Some(p));
        assert_eq!(decode("bm9wZQ"), None);
        assert_eq!(decode("!!"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("p1.9999")), None);
        for l in ["0", "201", "lots"] {
            let bad = Paging {
                limit: Some(l.into()),
                cursor: None,
            };
            assert_eq!(bad.request().unwrap_err().field.as_deref(), Some("limit"));
        }
    }

    #[test]
    fn the_link_header_keeps_the_filters() {
        let page = Page {
            items: vec![1, 2],
            page: 1,
            per_page: 2,
            total: 5,
        };
        let uri: Uri = "/api/v1/customers?plan=pro&limit=2".parse().unwrap();
        let res = respond(&uri, page, |x| x);
        let link = res.headers()[header::LINK].to_str().unwrap().to_string();
        let cursor = encode(PageRequest::new(Some(2), Some(2)));
        assert_eq!(
            link,
            format!("</api/v1/customers?plan=pro&cursor={cursor}>; rel=\"next\"")
        );
    }
}

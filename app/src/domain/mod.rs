//! The vocabulary of Amends, shared by the server and the browser: kinds, severities,
//! statuses, money and the rows the pages show. Parsing happens here, at the edge, so the
//! rest of the code can trust these types.

pub mod action;
pub mod adjusted;
pub mod affected;
pub mod analytics;
pub mod customer;
pub mod dashboard;
pub mod dose;
mod enums;
pub mod experiment;
pub mod incident;
pub mod integration;
mod money;
#[cfg(test)]
pub(crate) mod props;
pub mod reply;
pub mod report;
mod rows;
pub mod schedule;
pub mod text;
pub mod token;
pub mod week;
pub mod when;

pub use enums::*;
pub use money::{group_thousands, parse_amount, parse_currency, Money};
pub use rows::*;

/// A page of rows plus what the UI needs to draw pagination.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    /// The page `req` asked for, holding `items` of `total` matching rows.
    pub fn of(items: Vec<T>, req: PageRequest, total: i64) -> Self {
        Page {
            items,
            page: req.page,
            per_page: req.per_page,
            total: u64::try_from(total).unwrap_or(0),
        }
    }

    /// Number of pages (at least one, so an empty list still has "page 1 of 1").
    pub fn page_count(&self) -> u32 {
        let per = u64::from(self.per_page.max(1));
        (self.total.div_ceil(per)).max(1) as u32
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.page_count()
    }
}

/// Which page of a list to read; `page` starts at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u32 = 25;
    pub const MAX_PER_PAGE: u32 = 200;

    /// Clamp user input (query strings) into a valid request.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page
                .unwrap_or(Self::DEFAULT_PER_PAGE)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_request_clamps_input() {
        let r = PageRequest::new(Some(0), Some(10_000));
        assert_eq!(r.page, 1);
        assert_eq!(r.per_page, PageRequest::MAX_PER_PAGE);
        assert_eq!(PageRequest::new(Some(3), Some(20)).offset(), 40);
        assert_eq!(PageRequest::new(None, Some(0)).per_page, 1);
    }

    #[test]
    fn page_count_rounds_up_and_never_zero() {
        let p = |total| Page::<u8> {
            items: vec![],
            page: 1,
            per_page: 25,
            total,
        };
        assert_eq!(p(0).page_count(), 1);
        assert_eq!(p(25).page_count(), 1);
        assert_eq!(p(26).page_count(), 2);
        assert!(!p(25).has_next());
        assert!(p(26).has_next());
    }
}

//! Bulk import of customers, replies, recovery actions and affected customers from CSV:
//! the columns and row checks (`columns`), the records they make (`rows`, shared with the
//! webhooks) and the streaming, all-or-nothing run (`run`). The CLI and the API both call
//! `run::run`; the store writes the batches.

pub mod columns;
pub mod rows;
pub mod run;

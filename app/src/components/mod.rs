//! Building blocks shared by the pages.

pub mod badges;
pub mod chart_panel;
pub mod customer_fields;
pub mod forms;
pub mod incident_fields;
pub mod layout;
pub mod pager;
pub mod recovery;
pub mod reply_entry;
pub mod report_schedule;
pub mod states;
pub mod tokens;
pub mod week_report;

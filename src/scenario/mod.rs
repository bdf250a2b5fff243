//! Scenarios (skenaariot): apply a scenario's changes to a city's units, compute travel
//! times (reusing searches across scenarios), score the result, and write tables, KPIs and
//! a self-contained HTML report; compare several scenarios side by side.
//!
//! Reading happens in [`crate::io::scenario`]; scoring ([`run`]) is pure; only [`output`]
//! and [`compare`] write files.

pub mod apply;
pub mod compare;
pub mod human;
pub mod kpis;
pub mod output;
pub mod report;
pub mod run;
pub mod session;
pub mod svg;
pub mod travel;

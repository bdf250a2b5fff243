//! Scenarios (skenaariot): apply a scenario's changes to a city's units, score the result,
//! and write tables, KPIs and a self-contained HTML report; compare several scenarios side by
//! side. The engine (the module above this one) orchestrates: it loads cities and networks, keeps
//! travel columns and allocation states, and calls these pieces.
//!
//! Reading happens in [`crate::io::scenario`]; scoring ([`score`]) is pure; only [`output`]
//! and [`compare`] write files.

pub mod apply;
pub mod compare;
pub mod human;
pub mod kpis;
pub mod outcome;
pub mod output;
pub mod report;
pub mod score;
pub mod svg;

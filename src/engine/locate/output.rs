//! What `pave locate` writes: the sites table (chosen, kept, closed units with the children
//! they serve), the demand points' allocation, the bound report (`bounds.json`), and a
//! scenario file of the solution that `pave run` and `pave compare` take. Staged in a hidden
//! folder and moved into place at the end: nothing half-written on failure.

use super::Located;
use super::build::SiteRole;
use crate::analysis::demand::GROUPS;
use crate::io::error::WriteError;
use crate::io::{OutColumn, OutTable};
use crate::model::profile::CsvDialect;
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

/// The bound report: what was solved, the objective, both bounds and the gap.
#[derive(Clone, Debug, Serialize)]
pub struct BoundReport {
    /// Problem name.
    pub problem: String,
    /// Kind code.
    pub kind: String,
    /// The objective's unit.
    pub unit: String,
    /// Whether the objective is maximised.
    pub maximise: bool,
    /// The solution's objective.
    pub objective: f64,
    /// Proven lower bound on the optimum.
    pub lower_bound: f64,
    /// Proven upper bound on the optimum.
    pub upper_bound: f64,
    /// Relative gap between the bounds.
    pub gap: f64,
    /// Whether the solution is proven optimal (within the requested gap).
    pub proven_optimal: bool,
    /// Units operating in the solution.
    pub units: usize,
    /// New units opened.
    pub opened: Vec<String>,
    /// Existing units closed.
    pub closed: Vec<String>,
    /// Children within the coverage time (coverage kinds).
    pub covered: Option<f64>,
    /// Headline share before and after (closure).
    pub headline_share: Option<(f64, f64)>,
    /// Demand points, sites and candidates in the instance.
    pub size: (usize, usize, usize),
    /// Seconds building the instance (travel times) and solving.
    pub seconds: (f64, f64),
    /// What was left out or noticed.
    pub notes: Vec<String>,
}

impl Located {
    /// Sites opened (candidates chosen), in site order.
    pub fn opened(&self) -> Vec<usize> {
        self.answer.sites.iter().copied().filter(|&j| self.built.sites[j].role == SiteRole::Candidate).collect()
    }

    /// Existing units closed: fixed closed, or optional and not chosen.
    pub fn closed(&self) -> Vec<usize> {
        (0..self.built.sites.len())
            .filter(|&j| match self.built.sites[j].role {
                SiteRole::Closed => true,
                SiteRole::Optional => !self.answer.sites.contains(&j),
                _ => false,
            })
            .collect()
    }

    /// The bound report.
    pub fn report(&self) -> BoundReport {
        let ids = |v: Vec<usize>| v.into_iter().map(|j| self.built.sites[j].id.clone()).collect();
        BoundReport {
            problem: self.problem.name.clone(),
            kind: self.problem.kind.code().to_owned(),
            unit: self.unit.to_owned(),
            maximise: self.problem.kind.maximises(),
            objective: self.answer.objective,
            lower_bound: self.answer.lower_bound,
            upper_bound: self.answer.upper_bound,
            gap: self.answer.gap,
            proven_optimal: self.answer.proven_optimal,
            units: self.answer.sites.len(),
            opened: ids(self.opened()),
            closed: ids(self.closed()),
            covered: self.covered,
            headline_share: self.headline,
            size: (
                self.built.demand.len(),
                self.built.sites.len(),
                self.built.sites.iter().filter(|s| s.role == SiteRole::Candidate).count(),
            ),
            seconds: self.seconds,
            notes: self.notes.clone(),
        }
    }

    /// New units' ids in the solution scenario, parallel to [`Located::opened`]: `LOC-1`,
    /// `LOC-2` … skipping ids in use.
    pub fn new_unit_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut k = 0;
        for _ in self.opened() {
            loop {
                k += 1;
                let id = format!("LOC-{k}");
                if !self.built.sites.iter().any(|s| s.id == id) {
                    out.push(id);
                    break;
                }
            }
        }
        out
    }

    /// The solution as a scenario file that extends the base scenario (by a path relative
    /// to `dir`, where the file is written): closures and openings as `[[change]]` entries.
    /// `None` for matrix problems (no city to run).
    pub fn scenario_toml(&self, dir: &Path) -> Option<String> {
        let base = self.problem.scenario.as_ref()?;
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let a = &self.answer;
        let mut out = format!(
            "# Proposed by `pave locate {}`: {} — objective {:.2} {}, bounds [{:.2}, {:.2}], gap {:.2} %{}.\n",
            self.problem.file.display(),
            self.problem.kind.code(),
            a.objective,
            self.unit,
            a.lower_bound,
            a.upper_bound,
            a.gap * 100.0,
            if a.proven_optimal { ", proven optimal" } else { "" }
        );
        out.push_str(&format!(
            "name = {}\ntitle = {}\nextends = {}\n",
            q(&self.problem.name),
            q(&self.problem.title),
            q(&relative(dir, base).to_string_lossy())
        ));
        for j in self.closed() {
            out.push_str(&format!("\n[[change]]\naction = \"close\"\nunit = {}\n", q(&self.built.sites[j].id)));
        }
        let places: Vec<String> = self.problem.places.iter().map(|(c, n)| format!("{c} = {n}")).collect();
        for (j, id) in self.opened().into_iter().zip(self.new_unit_ids()) {
            let s = &self.built.sites[j];
            out.push_str(&format!("\n[[change]]\naction = \"open\"\nunit = {}\nname = {}\n", q(&id), q(&s.name)));
            match (&s.premises, s.at) {
                (Some(p), _) => out.push_str(&format!("premises = {}\n", q(p))),
                (None, Some((x, y))) => out.push_str(&format!("at = [{x:.1}, {y:.1}]\ncrs = 3067\n")),
                (None, None) => {}
            }
            out.push_str(&format!("places = {{ {} }}\n", places.join(", ")));
        }
        Some(out)
    }

    /// The sites table: every site chosen or closed, with the children it serves.
    pub fn sites_table(&self) -> OutTable {
        let b = &self.built;
        let new_ids = self.new_unit_ids();
        let opened = self.opened();
        let closed = self.closed();
        let rows: Vec<usize> =
            (0..b.sites.len()).filter(|j| self.answer.sites.contains(j) || closed.contains(j)).collect();
        let mut served = vec![0.0; b.sites.len()];
        let mut minutes = vec![0.0; b.sites.len()];
        for &(i, j, w) in &self.assignment {
            served[j as usize] += w;
            minutes[j as usize] += w * b.cost[i as usize][j as usize];
        }
        let role = |j: usize| match (b.sites[j].role, closed.contains(&j)) {
            (_, true) => "closed",
            (SiteRole::Candidate, _) => "new",
            (SiteRole::Optional, _) => "kept (chosen)",
            _ => "kept",
        };
        let unit = |j: usize| opened.iter().position(|&o| o == j).map_or(b.sites[j].id.clone(), |k| new_ids[k].clone());
        let text = |f: &dyn Fn(usize) -> Option<String>| OutColumn::Text(rows.iter().map(|&j| f(j)).collect());
        let float = |f: &dyn Fn(usize) -> Option<f64>| OutColumn::Float(rows.iter().map(|&j| f(j)).collect());
        OutTable::new("sites")
            .with("unit_id", text(&|j| Some(unit(j))))
            .with("site", text(&|j| Some(b.sites[j].id.clone())))
            .with("name", text(&|j| Some(b.sites[j].name.clone())))
            .with("role", text(&|j| Some(role(j).to_owned())))
            .with_rounded("x", 1, float(&|j| b.sites[j].at.map(|a| a.0)))
            .with_rounded("y", 1, float(&|j| b.sites[j].at.map(|a| a.1)))
            .with_rounded("places", 0, float(&|j| Some(b.sites[j].pools.iter().map(|p| p.0).sum())))
            .with_rounded("children", 1, float(&|j| (!closed.contains(&j)).then_some(served[j])))
            .with_rounded("mean_min", 1, float(&|j| (served[j] > 0.0).then(|| minutes[j] / served[j])))
    }

    /// The allocation table: each demand point's share on each site.
    pub fn allocation_table(&self) -> OutTable {
        let b = &self.built;
        let a = &self.assignment;
        OutTable::new("allocation")
            .with("demand_id", OutColumn::Text(a.iter().map(|r| Some(b.demand[r.0 as usize].id.clone())).collect()))
            .with(
                "language_group",
                OutColumn::Text(
                    a.iter().map(|r| Some(GROUPS[b.demand[r.0 as usize].class as usize].code().into())).collect(),
                ),
            )
            .with("site", OutColumn::Text(a.iter().map(|r| Some(b.sites[r.1 as usize].id.clone())).collect()))
            .with_rounded("children", 2, OutColumn::Float(a.iter().map(|r| Some(r.2)).collect()))
            .with_rounded(
                "minutes",
                1,
                OutColumn::Float(a.iter().map(|r| Some(b.cost[r.0 as usize][r.1 as usize])).collect()),
            )
    }

    /// Writes `sites.csv`, `allocation.csv` (Finnish Excel dialect), `bounds.json` and, for
    /// scenario problems, `<name>.toml` into `dir`; returns the files written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
        crate::io::atomic::staged(dir, |staging| {
            let mut names = Vec::new();
            for t in [self.sites_table(), self.allocation_table()] {
                crate::io::csv::write(&staging.join(format!("{}.csv", t.name)), &t, &CsvDialect::finnish_excel())?;
                names.push(format!("{}.csv", t.name));
            }
            let json = serde_json::to_string_pretty(&self.report()).map_err(|e| WriteError::new(dir, e))? + "\n";
            crate::io::atomic::write_bytes(&staging.join("bounds.json"), json.as_bytes())?;
            names.push("bounds.json".into());
            if let Some(toml) = self.scenario_toml(dir) {
                let name = format!("{}.toml", self.problem.name);
                crate::io::atomic::write_bytes(&staging.join(&name), toml.as_bytes())?;
                names.push(name);
            }
            Ok(names)
        })
    }
}

/// `target` as a path relative to the folder `from` (both made absolute); `target` as
/// given when no relative path exists (another drive).
pub fn relative(from: &Path, target: &Path) -> PathBuf {
    let abs = |p: &Path| {
        p.canonicalize().unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_owned()))
    };
    let (from, to) = (abs(from), abs(target));
    let (f, t): (Vec<Component>, Vec<Component>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to;
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}

//! Premises (tilat) from a city's files into [`Premises`] records.

use super::cells::Cx;
use crate::model::profile::{CodeMaps, PremisesSource};
use crate::model::{Origin, Premises, PremisesId, ProblemKind, Tenure};

/// Converts every row of a premises table.
pub fn convert(cx: &mut Cx<'_>, src: &PremisesSource, codes: &CodeMaps, city: &str, source: u16) -> Vec<Premises> {
    let c = &src.columns;
    let Some(id_col) = cx.column(&c.id, "premises id") else { return vec![] };
    let cols = (|| {
        Ok::<_, super::cells::Reported>((
            cx.optional_column(c.building_id.as_ref(), "building id")?,
            cx.optional_column(c.address.as_ref(), "address")?,
            cx.optional_column(c.floor_area_m2.as_ref(), "floor area m²")?,
            cx.optional_column(c.condition_class.as_ref(), "condition class")?,
            cx.optional_column(c.annual_cost_eur.as_ref(), "annual cost €")?,
            cx.optional_column(c.repair_debt_eur.as_ref(), "repair debt €")?,
            cx.optional_column(c.tenure.as_ref(), "owned or leased")?,
            cx.optional_column(c.lease_end_year.as_ref(), "lease end year")?,
        ))
    })();
    let Ok((building_col, address_col, area_col, condition_col, cost_col, debt_col, tenure_col, lease_col)) = cols
    else {
        return vec![];
    };
    let mut out = Vec::new();
    for row in 0..cx.table.len {
        let Some(id) = cx.required_id(id_col, row, "the premises id") else { continue };
        let mut ok = true;
        let mut non_negative = |cx: &mut Cx<'_>, col: Option<usize>, what: &str, strictly: bool| -> Option<f64> {
            let v = cx.number(col, row)?;
            if v < 0.0 || (strictly && v == 0.0) {
                let (name, written) = (cx.table.names[col?].clone(), cx.written(col?, row));
                cx.report(
                    ProblemKind::OutOfRange,
                    row,
                    &name,
                    &written,
                    format!("{what} {}", if strictly { "> 0" } else { "≥ 0" }),
                );
                ok = false;
                return None;
            }
            Some(v)
        };
        let floor_area_m2 = non_negative(cx, area_col, "floor area", true);
        let annual_cost_eur = non_negative(cx, cost_col, "annual cost", false);
        let repair_debt_eur = non_negative(cx, debt_col, "repair debt", false);
        let condition_class = match cx.text(condition_col, row) {
            None => None,
            Some(raw) => {
                let mapped = codes.condition_class.get(&raw).cloned().unwrap_or(raw.clone());
                match mapped.parse::<u8>() {
                    Ok(v) if (1..=5).contains(&v) => Some(v),
                    _ => {
                        let name = cx.table.names[condition_col.unwrap_or(0)].clone();
                        cx.report(
                            ProblemKind::OutOfRange,
                            row,
                            &name,
                            &raw,
                            "a condition class 1 (poor) … 5 (excellent), or a city code in [codes.condition_class]",
                        );
                        ok = false;
                        None
                    }
                }
            }
        };
        let tenure = match cx.text(tenure_col, row) {
            None => None,
            Some(raw) => {
                let r = cx.code::<Tenure>(
                    &raw,
                    &codes.tenure,
                    row,
                    c.tenure.as_deref().unwrap_or("tenure"),
                    "tenure",
                    &Tenure::expected(),
                );
                ok &= r.is_some();
                r
            }
        };
        let lease_end_year = cx.whole(lease_col, row, 1900, 2200, "a year").map(|y| y as u16);
        if !ok {
            continue;
        }
        out.push(Premises {
            city: city.to_owned(),
            id: PremisesId(id),
            building_id: cx.text(building_col, row),
            address: cx.text(address_col, row),
            floor_area_m2,
            condition_class,
            annual_cost_eur,
            repair_debt_eur,
            tenure,
            lease_end_year,
            origin: Some(Origin { source, location: cx.table.location(row) }),
        });
    }
    out
}

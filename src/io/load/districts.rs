//! Districts (piirijako) from a city's code file into [`District`] records.

use super::cells::Cx;
use crate::model::profile::DistrictSource;
use crate::model::{District, DistrictCode, Origin, ProblemKind};

/// Converts every row of a district table.
pub fn convert(cx: &mut Cx<'_>, src: &DistrictSource, city: &str, source: u16) -> Vec<District> {
    let c = &src.columns;
    let (Some(code_col), Some(level_col), Some(name_col)) = (
        cx.column(&c.code, "district code"),
        cx.column(&c.level, "district level"),
        cx.column(&c.name_fi, "Finnish name"),
    ) else {
        return vec![];
    };
    let Ok(sv_col) = cx.optional_column(c.name_sv.as_ref(), "Swedish name") else { return vec![] };
    let Ok(parent_col) = cx.optional_column(c.parent.as_ref(), "parent district code") else { return vec![] };
    let mut out = Vec::new();
    for row in 0..cx.table.len {
        let (Some(code), Some(level), Some(name_fi)) = (
            cx.required_id(code_col, row, "the district code"),
            cx.required_text(level_col, row, "the district level"),
            cx.required_text(name_col, row, "the Finnish name"),
        ) else {
            continue;
        };
        if !src.levels.contains(&level) {
            let name = cx.table.names[level_col].clone();
            cx.report(
                ProblemKind::UnknownCode,
                row,
                &name,
                &level,
                format!("one of the levels declared in [districts] levels: {}", src.levels.join(", ")),
            );
            continue;
        }
        out.push(District {
            city: city.to_owned(),
            level,
            code: DistrictCode(code),
            name_fi,
            name_sv: cx.text(sv_col, row),
            parent: cx.id(parent_col, row).map(DistrictCode),
            origin: Some(Origin { source, location: cx.table.location(row) }),
        });
    }
    out
}

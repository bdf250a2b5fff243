//! Demand areas from a city's layer or grid-id table into [`DemandArea`] records.

use super::cells::{Cx, crs, to_internal};
use crate::model::demand::grid;
use crate::model::profile::{DemandAreaSource, DistrictLookup, GeometryFrom};
use crate::model::{DemandArea, DemandAreaId, DistrictCode, Origin, ProblemKind};
use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use std::collections::HashMap;

/// Converts every row of a demand-area table.
pub fn convert(cx: &mut Cx<'_>, src: &DemandAreaSource, city: &str, default_crs: u32, source: u16) -> Vec<DemandArea> {
    let Some(id_col) = cx.column(&src.columns.id, "area id") else { return vec![] };
    let mut district_cols = Vec::new();
    for (level, column) in &src.columns.districts {
        let Some(i) = cx.column(column, "district code") else { return vec![] };
        district_cols.push((level.clone(), i));
    }
    if src.geometry == GeometryFrom::Layer && cx.table.geometry.is_none() {
        cx.problems.push(cx.file_problem(ProblemKind::Profile, "polygons: this file has no geometry; use a GeoPackage / GeoJSON layer or `geometry = \"inspire_id\"` for grid ids").field("geometry"));
        return vec![];
    }
    let epsg = cx.table.crs.or(src.crs).unwrap_or(default_crs);
    let from = match crs(epsg) {
        Ok(c) => c,
        Err(msg) => {
            cx.problems.push(cx.file_problem(ProblemKind::WrongCrs, msg).field("crs").value(epsg.to_string()));
            return vec![];
        }
    };
    let mut out = Vec::new();
    'rows: for row in 0..cx.table.len {
        let Some(id) = cx.required_id(id_col, row, "the area id") else { continue };
        let geometry = match src.geometry {
            GeometryFrom::InspireId => match grid::parse_inspire_id(&id) {
                Some((size, east, north)) => grid::cell_polygon(size, east, north),
                None => {
                    let name = cx.table.names[id_col].clone();
                    cx.report(
                        ProblemKind::Parse,
                        row,
                        &name,
                        &id,
                        "an INSPIRE grid id such as CRS3067RES250mN6672000E385000",
                    );
                    continue;
                }
            },
            GeometryFrom::Layer => {
                let raw = cx.table.geometry.as_ref().and_then(|g| g[row].clone());
                let mp = match raw {
                    Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
                    Some(Geometry::MultiPolygon(mp)) => mp,
                    Some(_) => {
                        cx.report(
                            ProblemKind::InvalidGeometry,
                            row,
                            "geometry",
                            &id,
                            "a polygon or multipolygon outline",
                        );
                        continue;
                    }
                    None => {
                        cx.report(ProblemKind::MissingValue, row, "geometry", &id, "a polygon outline");
                        continue;
                    }
                };
                // Transform every vertex; the first failure explains the CRS problem.
                let mut polys = Vec::with_capacity(mp.0.len());
                for p in &mp.0 {
                    let mut rings = Vec::new();
                    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                        let mut coords = Vec::with_capacity(ring.0.len());
                        for c in &ring.0 {
                            let written = format!("{}, {}", c.x, c.y);
                            match to_internal(from, c.x, c.y, &written) {
                                Ok((x, y)) => coords.push(Coord { x, y }),
                                Err((kind, msg)) => {
                                    cx.report(kind, row, "geometry", &written, msg);
                                    continue 'rows;
                                }
                            }
                        }
                        rings.push(LineString(coords));
                    }
                    let exterior = rings.remove(0);
                    polys.push(Polygon::new(exterior, rings));
                }
                MultiPolygon(polys)
            }
        };
        let Some(point) = DemandArea::representative_point(&geometry) else {
            cx.report(ProblemKind::InvalidGeometry, row, "geometry", &id, "a non-empty polygon");
            continue;
        };
        let districts = district_cols
            .iter()
            .filter_map(|(level, col)| cx.id(Some(*col), row).map(|v| (level.clone(), DistrictCode(v))))
            .collect();
        out.push(DemandArea {
            city: city.to_owned(),
            id: DemandAreaId(id),
            kind: src.kind,
            geometry,
            point,
            districts,
            origin: Some(Origin { source, location: cx.table.location(row) }),
        });
    }
    out
}

/// Gives `areas` their district codes from a key table; keys for unknown areas and areas
/// without a key are problems.
pub fn apply_lookup(cx: &mut Cx<'_>, lookup: &DistrictLookup, areas: &mut [DemandArea], _source: u16) {
    let Some(id_col) = cx.column(&lookup.id, "area id") else { return };
    let mut cols = Vec::new();
    for (level, column) in &lookup.districts {
        let Some(i) = cx.column(column, "district code") else { return };
        cols.push((level.clone(), i));
    }
    let index: HashMap<String, usize> = areas.iter().enumerate().map(|(i, a)| (a.id.0.clone(), i)).collect();
    let mut keyed: Vec<Option<usize>> = vec![None; areas.len()];
    for row in 0..cx.table.len {
        let Some(id) = cx.required_id(id_col, row, "the area id") else { continue };
        let Some(&i) = index.get(&id) else {
            let name = cx.table.names[id_col].clone();
            cx.report(ProblemKind::MissingReference, row, &name, &id, "the id of a demand area of the area file");
            continue;
        };
        if let Some(first) = keyed[i] {
            let name = cx.table.names[id_col].clone();
            let first = cx.table.location(first);
            cx.report(ProblemKind::DuplicateId, row, &name, &id, format!("one key row per area; first at {first}"));
            continue;
        }
        keyed[i] = Some(row);
        for (level, col) in &cols {
            if let Some(code) = cx.id(Some(*col), row) {
                areas[i].districts.insert(level.clone(), DistrictCode(code));
            }
        }
    }
    let missing: Vec<&str> =
        areas.iter().zip(&keyed).filter(|(_, k)| k.is_none()).map(|(a, _)| a.id.as_str()).collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(10).copied().collect();
        cx.problems.push(
            cx.file_problem(
                ProblemKind::MissingReference,
                format!(
                    "a key row for every demand area; {} have none: {}{}",
                    missing.len(),
                    shown.join(", "),
                    if missing.len() > 10 { ", …" } else { "" }
                ),
            )
            .field(lookup.id.clone()),
        );
    }
}

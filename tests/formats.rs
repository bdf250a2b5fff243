//! Writers and readers round-trip: CSV in both dialects and encodings, GeoPackage in a GK
//! zone, GeoJSON, (Geo)Parquet; and atomic writes leave nothing behind on failure.

use geo::Geometry;
use pave::io::{GeometryKind, OutColumn, OutGeometry, OutTable, csv, geojson, gpkg, parquet, table::Cell};
use pave::model::profile::{CsvDialect, Encoding};

fn sample() -> OutTable {
    let mut t = OutTable::new("units")
        .with("id", OutColumn::Text(vec![Some("Ä1".into()), Some("B;2".into()), Some("C\"3".into())]))
        .with("places", OutColumn::Int(vec![Some(42), None, Some(7)]))
        .with("area_m2", OutColumn::Float(vec![Some(540.5), Some(0.25), None]));
    t.geometry = Some(OutGeometry {
        kind: GeometryKind::Point,
        epsg: 3879,
        values: vec![
            Some(geo::Point::new(25_497_347.63, 6_672_952.17).into()),
            Some(geo::Point::new(25_497_000.0, 6_672_000.0).into()),
            None,
        ],
    });
    t
}

#[test]
fn csv_round_trips_in_both_dialects_and_encodings() {
    let dir = tempfile::tempdir().unwrap();
    for (i, d) in [
        CsvDialect::default(),
        CsvDialect::finnish_excel(),
        CsvDialect { delimiter: ';', decimal: ',', encoding: Encoding::Windows1252 },
    ]
    .iter()
    .enumerate()
    {
        let path = dir.path().join(format!("t{i}.csv"));
        csv::write(&path, &sample(), d).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            d.delimiter == ';' && d.encoding == Encoding::Utf8,
            "BOM only for Finnish Excel UTF-8"
        );
        let (t, problems) = csv::read(&path, d).unwrap();
        assert!(problems.is_empty());
        assert_eq!(t.columns[0].cell(0), Cell::Text("Ä1"));
        assert_eq!(t.columns[0].cell(1), Cell::Text("B;2"));
        assert_eq!(t.columns[0].cell(2), Cell::Text("C\"3"));
        assert_eq!(t.columns[1].cell(1), Cell::Null);
        let v = match t.columns[2].cell(0) {
            Cell::Text(s) => pave::io::load::cells::parse_number(s, t.decimal_comma).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(v, 540.5);
    }
}

#[test]
fn geopackage_keeps_gk_coordinates_and_srs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    gpkg::write(&path, &[sample()]).unwrap();
    let (t, problems) = gpkg::read(&path, None).unwrap();
    assert!(problems.is_empty());
    assert_eq!(t.crs, Some(3879));
    assert_eq!(t.len, 3);
    let g = t.geometry.unwrap();
    assert_eq!(g[0], Some(Geometry::Point(geo::Point::new(25_497_347.63, 6_672_952.17))));
    assert_eq!(g[2], None);
    assert_eq!(t.columns[1].cell(0), Cell::Int(42));
    assert_eq!(t.columns[2].cell(1), Cell::Float(0.25));
    assert_eq!(gpkg::layers(&path).unwrap(), vec!["units".to_owned()]);
}

#[test]
fn geojson_and_parquet_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let gj = dir.path().join("t.geojson");
    geojson::write(&gj, &sample()).unwrap();
    let (t, _) = geojson::read(&gj).unwrap();
    assert_eq!(t.crs, Some(3879), "legacy crs member honoured");
    assert_eq!(t.columns[0].cell(0), Cell::Text("Ä1"));
    let pq = dir.path().join("t.parquet");
    parquet::write(&pq, &sample()).unwrap();
    let (p, _) = parquet::read(&pq).unwrap();
    assert_eq!(p.len, 3);
    assert_eq!(p.columns[1].cell(2), Cell::Int(7));
    assert_eq!(p.geometry.unwrap()[0], Some(Geometry::Point(geo::Point::new(25_497_347.63, 6_672_952.17))));
}

#[test]
fn failed_writes_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    // Windows-1252 cannot encode this arrow: the write fails and no file, temp or final, stays.
    let t = OutTable::new("x").with("a", OutColumn::Text(vec![Some("→".into())]));
    let d = CsvDialect { delimiter: ';', decimal: ',', encoding: Encoding::Windows1252 };
    assert!(csv::write(&path, &t, &d).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // An unsupported CRS fails the GeoPackage write the same way.
    let mut bad = sample();
    bad.geometry.as_mut().unwrap().epsg = 2393;
    assert!(gpkg::write(&dir.path().join("t.gpkg"), &[bad]).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

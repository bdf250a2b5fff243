//! The JSON Schemas in `schemas/` must equal what the Rust types generate.
//! Run `UPDATE_SCHEMAS=1 cargo test --release --test schemas` (or `pave schema`) after a change.

mod support;

#[test]
fn schemas_do_not_drift_from_the_types() {
    let dir = support::root().join("schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, content) in pave::model::schema::all() {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &content).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas out of date: {stale:?}; run `UPDATE_SCHEMAS=1 cargo test --release --test schemas`"
    );
}

#[test]
fn sample_profiles_satisfy_the_profile_schema_types() {
    // Every bundled profile parses with unknown keys denied, i.e. it matches the schema.
    for city in ["helsinki", "turku", "kuopio"] {
        let path = support::root().join("sample-data").join(city).join("profile.toml");
        pave::io::profile::read(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

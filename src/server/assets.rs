//! The web app's files, compiled into the binary (it works offline, with no CDN).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, contents) of every asset; `web/` in the repository.
const ASSETS: &[(&str, &str)] = &[
    ("index.html", include_str!("../../web/index.html")),
    ("app.js", include_str!("../../web/app.js")),
    ("map.js", include_str!("../../web/map.js")),
    ("i18n.js", include_str!("../../web/i18n.js")),
    ("style.css", include_str!("../../web/style.css")),
    // Helsinki Design System styles, vendored by scripts/web-vendor.sh from hds-core.
    ("hds.css", include_str!("../../web/vendor/hds.css")),
];

/// The content type of a file by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "gpkg" => "application/geopackage+sqlite3",
        "parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

/// The asset `name`, or 404.
pub fn page(name: &str) -> Response {
    match ASSETS.iter().find(|a| a.0 == name) {
        Some((n, text)) => ([(header::CONTENT_TYPE, content_type(n))], *text).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no asset '{name}'")).into_response(),
    }
}

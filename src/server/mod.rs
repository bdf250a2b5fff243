//! The planner's workspace over HTTP (`pave serve`): a single-page app whose assets are
//! compiled into the binary, and a JSON API over the engine. A front end like the command
//! line: it parses requests, calls [`crate::engine`], and serves what it returns.
//!
//! API (every body JSON, at most [`BODY_LIMIT`] bytes):
//! - `GET /api/scenarios` — the scenarios served: id, name, title, city, year;
//! - `GET /api/scenarios/{id}/map` — the map's fixed layers ([`workspace::MapBase`]);
//! - `POST /api/scenarios/{id}/evaluate` with [`workspace::Edits`] — the edited scenario's
//!   figures ([`workspace::View`]), re-scored incrementally;
//! - `POST /api/scenarios/{id}/toml` with edits — the edited scenario as a file `pave run` reads;
//! - `POST /api/scenarios/{id}/export` with edits — writes the outputs (GeoPackage, CSV,
//!   report) into the output folder and lists them under `/files/…`.
//!
//! Bad input answers 400 with the engine's message (file or edit, field, value, what was
//! expected). Requests name scenarios by index and output files by their listed names: no
//! path from a request is ever opened. Evaluations run one at a time on the shared engine;
//! a failed one leaves the kept evaluation unchanged (see [`crate::engine::Engine::update`]).

mod assets;

use crate::engine::workspace::{self, Edits, MapBase};
use crate::engine::{Engine, EngineError, Evaluation};
use crate::model::scenario::Scenario;
use crate::progress::NoProgress;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Largest request body accepted, bytes.
pub const BODY_LIMIT: usize = 256 * 1024;

/// What `pave serve` serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind (127.0.0.1 by default: only this machine).
    pub bind: std::net::IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Scenario files offered to the planner.
    pub scenarios: Vec<PathBuf>,
    /// Folder for exported results (one subfolder per scenario).
    pub out: PathBuf,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A scenario file could not be read or evaluated.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// The address could not be bound or served.
    #[error("cannot serve on {addr}: {message}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        message: String,
    },
}

/// One scenario served: its file, as read, its base figures and the evaluation kept for
/// incremental edits.
struct Served {
    file: PathBuf,
    scenario: Scenario,
    map: Option<Arc<MapBase>>,
    current: Option<Evaluation>,
}

struct Shared {
    engine: Engine,
    served: Vec<Served>,
    exported: Vec<(String, PathBuf)>,
}

type AppState = Arc<(Mutex<Shared>, Config)>;

/// Reads the scenarios, binds, calls `ready` with the address, and serves until the process
/// ends. Each scenario is evaluated once before serving so the first page is quick.
pub fn serve(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let mut scenarios = Vec::new();
    for file in &config.scenarios {
        scenarios.push((file.clone(), crate::io::scenario::read(file).map_err(EngineError::from)?));
    }
    serve_with(Engine::new(), scenarios, config, ready)
}

/// [`serve`] on an engine that may already hold cities and networks (tools, benchmarks),
/// for scenarios already read: (file, scenario).
pub fn serve_with(
    mut engine: Engine,
    scenarios: Vec<(PathBuf, Scenario)>,
    config: Config,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let mut served = Vec::new();
    for (file, scenario) in scenarios {
        let current = engine.evaluate(&scenario, &NoProgress)?;
        served.push(Served { file, scenario, map: None, current: Some(current) });
    }
    let addr = SocketAddr::new(config.bind, config.port);
    let state: AppState = Arc::new((Mutex::new(Shared { engine, served, exported: Vec::new() }), config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
        let local =
            listener.local_addr().map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
        ready(local);
        axum::serve(listener, router(state))
            .await
            .map_err(|e| ServeError::Bind { addr: local.to_string(), message: e.to_string() })
    })
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { assets::page("index.html") }))
        .route("/assets/{name}", get(|UrlPath(name): UrlPath<String>| async move { assets::page(&name) }))
        .route("/api/scenarios", get(list))
        .route("/api/scenarios/{id}/map", get(map))
        .route("/api/scenarios/{id}/evaluate", post(evaluate))
        .route("/api/scenarios/{id}/toml", post(toml_file))
        .route("/api/scenarios/{id}/export", post(export))
        .route("/files/{name}/{file}", get(file))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// A refused request: its status and the message, answered as `{"error": message}`.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, axum::Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Refusal {
    Refusal { status, message: message.to_string() }
}

/// 400 with the engine's message; errors in the planner's own steps are named by number
/// ("edit 2: key 'places': …") rather than as lines of a file.
fn bad_request(e: impl std::fmt::Display) -> Refusal {
    let text = e.to_string();
    let prefix = format!("{}: line ", workspace::EDITS_ORIGIN);
    let text = match text.strip_prefix(&prefix) {
        Some(rest) => format!("edit {}", rest.replacen(", column 1:", ":", 1)),
        None => text,
    };
    error(StatusCode::BAD_REQUEST, text)
}

/// Parses a JSON body of edits; errors say where and what.
fn edits_of(body: &[u8]) -> Result<Edits, Refusal> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Edits::default());
    }
    serde_json::from_slice(body).map_err(|e| bad_request(format!("request body: {e}")))
}

async fn list(State(state): State<AppState>) -> Response {
    let shared = state.0.lock().unwrap_or_else(|p| p.into_inner());
    let rows: Vec<serde_json::Value> = shared
        .served
        .iter()
        .enumerate()
        .map(|(i, s)| {
            serde_json::json!({
                "id": i,
                "name": s.scenario.name,
                "title": s.scenario.title,
                "city": s.current.as_ref().map(|e| e.kpis.city.clone()).unwrap_or_default(),
                "year": s.scenario.year.0,
            })
        })
        .collect();
    axum::Json(rows).into_response()
}

fn index(shared: &Shared, id: usize) -> Result<usize, Refusal> {
    if id < shared.served.len() {
        Ok(id)
    } else {
        Err(error(StatusCode::NOT_FOUND, format!("no scenario {id}: there are {}", shared.served.len())))
    }
}

async fn map(State(state): State<AppState>, UrlPath(id): UrlPath<usize>) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        let mut shared = state.0.lock().unwrap_or_else(|p| p.into_inner());
        let i = index(&shared, id)?;
        let s = &mut shared.served[i];
        if s.map.is_none() {
            s.map = s.current.as_ref().map(|e| Arc::new(workspace::map_base(e)));
        }
        s.map.clone().ok_or_else(|| error(StatusCode::INTERNAL_SERVER_ERROR, "the scenario has no evaluation"))
    })
    .await;
    match result {
        Ok(Ok(m)) => axum::Json(&*m).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// Evaluates scenario `id` with `edits` on the kept evaluation; the closure gets the result.
fn with_evaluation<T>(
    state: &AppState,
    id: usize,
    edits: &Edits,
    f: impl FnOnce(&Evaluation, &Served, &Config) -> T,
) -> Result<T, Refusal> {
    let mut guard = state.0.lock().unwrap_or_else(|p| p.into_inner());
    let shared = &mut *guard;
    let i = index(shared, id)?;
    let served = &mut shared.served[i];
    let scenario = workspace::edited(&served.scenario, edits);
    let mut current = match served.current.take() {
        Some(c) => c,
        None => shared.engine.evaluate(&served.scenario, &NoProgress).map_err(bad_request)?,
    };
    let result = shared.engine.update(&mut current, scenario, &NoProgress);
    // On error `update` left the evaluation as it was: keep it for the next edit.
    served.current = Some(current);
    match result {
        Ok(_) => Ok(f(served.current.as_ref().expect("kept above"), served, &state.1)),
        Err(e) => Err(bad_request(e)),
    }
}

async fn evaluate(State(state): State<AppState>, UrlPath(id): UrlPath<usize>, body: Bytes) -> Response {
    let edits = match edits_of(&body) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let result =
        tokio::task::spawn_blocking(move || with_evaluation(&state, id, &edits, |e, _, _| workspace::view(e))).await;
    match result {
        Ok(Ok(view)) => axum::Json(view).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

async fn toml_file(State(state): State<AppState>, UrlPath(id): UrlPath<usize>, body: Bytes) -> Response {
    let edits = match edits_of(&body) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let result = tokio::task::spawn_blocking(move || {
        // Evaluated first, so a file is only offered for edits that evaluate.
        with_evaluation(&state, id, &edits, |_, served, _| {
            let name = format!("{}-edited", served.scenario.name);
            let title = format!("{} (edited)", served.scenario.title);
            (name.clone(), workspace::scenario_toml(&served.file, &name, &title, &edits))
        })
    })
    .await;
    match result {
        Ok(Ok((name, text))) => (
            [
                (header::CONTENT_TYPE, "application/toml; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.toml\"")),
            ],
            text,
        )
            .into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

async fn export(State(state): State<AppState>, UrlPath(id): UrlPath<usize>, body: Bytes) -> Response {
    let edits = match edits_of(&body) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let st = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let written = with_evaluation(&st, id, &edits, |e, served, config| {
            let name = format!("{}-edited", served.scenario.name);
            let dir = config.out.join(&name);
            let engine = Engine::new();
            engine.write(e, &dir).map(|files| (name, dir, files))
        })?;
        let (name, dir, files) = written.map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        let mut shared = st.0.lock().unwrap_or_else(|p| p.into_inner());
        shared.exported.retain(|(n, _)| *n != name);
        shared.exported.push((name.clone(), dir));
        let listed: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| format!("/files/{name}/{}", n.to_string_lossy())))
            .collect();
        Ok::<_, Refusal>(listed)
    })
    .await;
    match result {
        Ok(Ok(list)) => axum::Json(serde_json::json!({ "files": list })).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

async fn file(State(state): State<AppState>, UrlPath((name, file)): UrlPath<(String, String)>) -> Response {
    let dir = {
        let shared = state.0.lock().unwrap_or_else(|p| p.into_inner());
        shared.exported.iter().find(|(n, _)| *n == name).map(|(_, d)| d.clone())
    };
    let Some(dir) = dir else {
        return error(StatusCode::NOT_FOUND, format!("nothing exported as '{name}'")).into_response();
    };
    // Only a plain file name written by the export, never a path.
    let plain = !file.is_empty()
        && file.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !file.starts_with('.');
    let path = dir.join(&file);
    if !plain || !path.is_file() {
        return error(StatusCode::NOT_FOUND, format!("no exported file '{file}'")).into_response();
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, assets::content_type(&file).to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

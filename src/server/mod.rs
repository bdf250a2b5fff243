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
//! path from a request is ever opened. Evaluations run side by side on [`Config::workers`]
//! lanes, each an engine sharing the loaded cities and networks with its own evaluations; a
//! failed one leaves its lane's evaluation unchanged (see [`crate::engine::Engine::update`]),
//! and every lane gives the figures of a cold evaluation, so which lane answers never shows.

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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

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
    /// An optional background map (taustakartta) drawn under the cells.
    pub tiles: Option<Tiles>,
    /// Evaluations run side by side (each worker keeps its own evaluations and travel
    /// caches: memory grows with it; 1 runs them one at a time).
    pub workers: usize,
}

/// A background map from a tile service in the ETRS-TM35FIN tile matrix set of JHS 180
/// (EPSG:3067, as the National Land Survey's and the cities' WMTS services offer it): origin
/// (−548 576, 8 388 608), 256-pixel tiles, 8 192 m per pixel at level 0, halved per level.
/// The browser fetches the tiles itself; the server never does.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Tiles {
    /// URL template with `{z}`, `{x}` (column) and `{y}` (row), http or https.
    pub url: String,
    /// Attribution shown on the map (the service's licence asks for it).
    pub attribution: String,
}

impl Tiles {
    /// Checks a tile URL template: http(s), with `{z}`, `{x}` and `{y}`.
    pub fn new(url: &str, attribution: &str) -> Result<Tiles, String> {
        let scheme = url.starts_with("http://") || url.starts_with("https://");
        let missing: Vec<&str> = ["{z}", "{x}", "{y}"].into_iter().filter(|p| !url.contains(p)).collect();
        if !scheme || !missing.is_empty() {
            return Err(format!(
                "tile URL '{url}': expected an http(s) URL template with {{z}}, {{x}} and {{y}} in the ETRS-TM35FIN tile matrix set{}",
                if missing.is_empty() { String::new() } else { format!(" (missing {})", missing.join(", ")) }
            ));
        }
        Ok(Tiles { url: url.to_owned(), attribution: attribution.to_owned() })
    }
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

/// One scenario served: its file, as read, its city's name and its map layers (made once).
struct Served {
    file: PathBuf,
    scenario: Scenario,
    city: String,
    map: std::sync::OnceLock<Arc<MapBase>>,
}

/// One worker: an engine (sharing cities and networks with the others) and the evaluation
/// it keeps per scenario for incremental edits. A request holds one lane while it runs.
struct Lane {
    engine: Engine,
    evaluations: Vec<Option<Evaluation>>,
}

struct Shared {
    served: Vec<Served>,
    lanes: Vec<Mutex<Lane>>,
    /// Whether lane i has evaluated every scenario and takes requests.
    warm: Vec<AtomicBool>,
    /// Turn for waiting on a lane when all are busy.
    turn: AtomicUsize,
    exported: Mutex<Vec<(String, PathBuf)>>,
    /// Held while an export writes, so two exports into one folder never mix their files.
    exporting: Mutex<()>,
}

impl Shared {
    /// A warm lane: a free one if any, else the next in turn (waiting for it).
    fn lane(&self) -> MutexGuard<'_, Lane> {
        let warm: Vec<usize> = (0..self.lanes.len()).filter(|&i| self.warm[i].load(Ordering::Acquire)).collect();
        for &i in &warm {
            match self.lanes[i].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => {
                    self.lanes[i].clear_poison();
                    return recovered(p.into_inner());
                }
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let i = warm[self.turn.fetch_add(1, Ordering::Relaxed) % warm.len()];
        match self.lanes[i].lock() {
            Ok(guard) => guard,
            Err(p) => {
                self.lanes[i].clear_poison();
                recovered(p.into_inner())
            }
        }
    }
}

/// A lane whose holder panicked: its kept evaluations may be half-updated, so they are
/// dropped and made anew on next use (the engine's caches only ever gain whole columns).
fn recovered(mut lane: MutexGuard<'_, Lane>) -> MutexGuard<'_, Lane> {
    lane.evaluations.iter_mut().for_each(|e| *e = None);
    lane
}

type AppState = Arc<(Shared, Config)>;

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
/// for scenarios already read: (file, scenario). The first worker evaluates every scenario
/// before serving; the others do so in the background after, and take requests when done.
pub fn serve_with(
    mut engine: Engine,
    scenarios: Vec<(PathBuf, Scenario)>,
    config: Config,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let mut served = Vec::new();
    let mut evaluations = Vec::new();
    for (file, scenario) in scenarios {
        let current = engine.evaluate(&scenario, &NoProgress)?;
        let city = current.kpis.city.clone();
        served.push(Served { file, scenario, city, map: std::sync::OnceLock::new() });
        evaluations.push(Some(current));
    }
    let workers = config.workers.max(1);
    let mut lanes: Vec<Mutex<Lane>> = (1..workers)
        .map(|_| Mutex::new(Lane { engine: engine.sharing(), evaluations: served.iter().map(|_| None).collect() }))
        .collect();
    // The first lane keeps the engine that made the evaluations (they index its caches).
    lanes.insert(0, Mutex::new(Lane { engine, evaluations }));
    let warm = (0..workers).map(|i| AtomicBool::new(i == 0)).collect();
    let shared = Shared {
        served,
        lanes,
        warm,
        turn: AtomicUsize::new(0),
        exported: Mutex::new(Vec::new()),
        exporting: Mutex::new(()),
    };
    let addr = SocketAddr::new(config.bind, config.port);
    let state: AppState = Arc::new((shared, config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(workers.max(2) * 2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
        let local =
            listener.local_addr().map_err(|e| ServeError::Bind { addr: addr.to_string(), message: e.to_string() })?;
        let warming = state.clone();
        std::thread::spawn(move || warm_up(&warming.0));
        ready(local);
        axum::serve(listener, router(state))
            .await
            .map_err(|e| ServeError::Bind { addr: local.to_string(), message: e.to_string() })
    })
}

/// Evaluates every scenario on the lanes not yet warm, one lane after another; a lane whose
/// evaluation fails stays out of service (the first lane evaluated the same scenarios).
fn warm_up(shared: &Shared) {
    for (i, lane) in shared.lanes.iter().enumerate().skip(1) {
        let mut guard = lane.lock().unwrap_or_else(|p| p.into_inner());
        let lane = &mut *guard;
        let mut all = true;
        for (k, served) in shared.served.iter().enumerate() {
            match lane.engine.evaluate(&served.scenario, &NoProgress) {
                Ok(e) => lane.evaluations[k] = Some(e),
                Err(_) => all = false,
            }
        }
        shared.warm[i].store(all, Ordering::Release);
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { assets::page("index.html") }))
        .route("/assets/{name}", get(|UrlPath(name): UrlPath<String>| async move { assets::page(&name) }))
        .route("/api/config", get(config))
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

async fn config(State(state): State<AppState>) -> Response {
    let warm = state.0.warm.iter().filter(|w| w.load(Ordering::Acquire)).count();
    axum::Json(serde_json::json!({ "tiles": state.1.tiles, "workers": state.0.lanes.len(), "workers_ready": warm }))
        .into_response()
}

async fn list(State(state): State<AppState>) -> Response {
    let rows: Vec<serde_json::Value> = state
        .0
        .served
        .iter()
        .enumerate()
        .map(|(i, s)| {
            serde_json::json!({
                "id": i,
                "name": s.scenario.name,
                "title": s.scenario.title,
                "city": s.city,
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
        let shared = &state.0;
        let i = index(shared, id)?;
        if let Some(m) = shared.served[i].map.get() {
            return Ok::<_, Refusal>(m.clone());
        }
        let mut lane = shared.lane();
        let lane = &mut *lane;
        if lane.evaluations[i].is_none() {
            lane.evaluations[i] =
                Some(lane.engine.evaluate(&shared.served[i].scenario, &NoProgress).map_err(bad_request)?);
        }
        let made = Arc::new(workspace::map_base(lane.evaluations[i].as_ref().expect("made above")));
        Ok(shared.served[i].map.get_or_init(|| made).clone())
    })
    .await;
    match result {
        Ok(Ok(m)) => axum::Json(&*m).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// Evaluates scenario `id` with `edits` on a lane's kept evaluation; the closure gets the
/// result, the scenario served and the configuration.
fn with_evaluation<T>(
    state: &AppState,
    id: usize,
    edits: &Edits,
    f: impl FnOnce(&Evaluation, &Served, &Config) -> T,
) -> Result<T, Refusal> {
    let shared = &state.0;
    let i = index(shared, id)?;
    let served = &shared.served[i];
    let scenario = workspace::edited(&served.scenario, edits);
    let mut guard = shared.lane();
    let lane = &mut *guard;
    let mut current = match lane.evaluations[i].take() {
        Some(c) => c,
        None => lane.engine.evaluate(&served.scenario, &NoProgress).map_err(bad_request)?,
    };
    let result = lane.engine.update(&mut current, scenario, &NoProgress);
    // On error `update` left the evaluation as it was: keep it for the next edit.
    let current = lane.evaluations[i].insert(current);
    match result {
        Ok(_) => Ok(f(current, served, &state.1)),
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
            let _one_at_a_time = st.0.exporting.lock().unwrap_or_else(|p| p.into_inner());
            let engine = Engine::new();
            engine.write(e, &dir).map(|files| (name, dir, files))
        })?;
        let (name, dir, files) = written.map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        let mut exported = st.0.exported.lock().unwrap_or_else(|p| p.into_inner());
        exported.retain(|(n, _)| *n != name);
        exported.push((name.clone(), dir));
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
        let exported = state.0.exported.lock().unwrap_or_else(|p| p.into_inner());
        exported.iter().find(|(n, _)| *n == name).map(|(_, d)| d.clone())
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

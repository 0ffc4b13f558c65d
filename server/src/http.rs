//! HTTP routes: the JSON API, health, metrics, OpenAPI, the WebSocket upgrade and the
//! embedded browser app. Errors are `{code, message}` with a matching status
//! ([`crate::errors`]); the bodies are `cafe_shared::api`'s.

use crate::cafe::CafeHandle;
use crate::client_ip::ClientIp;
use crate::errors::{ApiBytes, ApiError, ApiJson};
use crate::registry::{CreateError, Registry};
use crate::App;
use crate::{export, import};
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cafe_shared::api::{
    ApiErrorBody, CafeCreatedResponse, CreateCafeRequest, JoinRequest, JoinResponse, PublicInfo,
    TokenQuery,
};
use cafe_shared::{CafeState, ErrorCode, Grant, JoinCode, PersonId, Role, SystemCommand};
use sha2::Digest;
use std::net::IpAddr;
use std::sync::Arc;
use tower_http::timeout::RequestBodyTimeoutLayer;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Innovation Café API",
        description = "HTTP side of the café server; live play happens on the WebSocket at /ws (see docs/protocol.md)."
    ),
    paths(
        create_cafe,
        lookup,
        join,
        qr_svg,
        export,
        import,
        healthz,
        readyz,
        crate::links::redeem,
        crate::links::list,
        crate::links::create,
        crate::links::rotate,
        crate::links::revoke
    ),
    components(schemas(
        cafe_shared::api::RedeemRequest,
        cafe_shared::api::RedeemResponse,
        cafe_shared::api::NewLinkRequest,
        cafe_shared::api::LinkCreated,
        cafe_shared::api::LinkInfo,
        cafe_shared::api::LinksResponse,
        ApiErrorBody,
        CreateCafeRequest,
        CafeCreatedResponse,
        PublicInfo,
        JoinRequest,
        JoinResponse
    ))
)]
struct ApiDoc;

// ----- router -----

pub fn router(app: Arc<App>) -> Router {
    let body_limit = app.config.tuning.max_body_bytes;
    let mut routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    routes = if app.config.metrics_addr.is_none() {
        routes.route("/metrics", get(metrics))
    } else {
        // Moved to --metrics-addr; a 404 here, not the app page of the fallback.
        routes.route(
            "/metrics",
            get(|| async { ApiError::new(ErrorCode::NotFound, "no such endpoint") }),
        )
    };
    let routes = routes
        .route("/api/openapi.json", get(openapi))
        .route("/api/cafes", post(create_cafe))
        .route(
            "/api/cafes/import",
            post(import).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/api/cafes/by-code/{code}", get(lookup))
        .route("/api/cafes/by-code/{code}/join", post(join))
        .route("/api/cafes/{id}/qr.svg", get(qr_svg))
        .route(
            "/api/cafes/{id}/links",
            get(crate::links::list).post(crate::links::create),
        )
        .route("/api/cafes/{id}/links/redeem", post(crate::links::redeem))
        .route(
            "/api/cafes/{id}/links/{link}/rotate",
            post(crate::links::rotate),
        )
        .route(
            "/api/cafes/{id}/links/{link}",
            axum::routing::delete(crate::links::revoke),
        )
        .route("/api/cafes/{id}/{file}", get(export))
        .route("/ws", get(crate::ws::upgrade))
        // A join link: the app's page with a plain HTML join form for this café in front.
        // Compressed per request (it is built per request): a third of the bytes.
        .route(
            "/j/{code}",
            get(crate::join_page::page).layer(tower_http::compression::CompressionLayer::new()),
        )
        .fallback(crate::assets::serve)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyTimeoutLayer::new(
            app.config.tuning.body_read_timeout,
        ));
    crate::headers::secure(routes, &app.config)
        // Spans name the path only: a query may hold a download link's token.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
                },
            ),
        )
        .with_state(app)
}

/// The router of `--metrics-addr`: only `/metrics`, with the main router's body limits
/// (it is served by the same accept loop, so it has the header-read timeout too).
pub fn metrics_router(app: Arc<App>) -> Router {
    let tuning = &app.config.tuning;
    Router::new()
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(tuning.max_body_bytes))
        .layer(RequestBodyTimeoutLayer::new(tuning.body_read_timeout))
        .with_state(app)
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Liveness: the process answers")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the store answers and takes writes, and the server is not shutting down.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Ready: the store takes writes"),
    (status = 503, body = ApiErrorBody, description = "The store failed a write, or the server is shutting down")))]
async fn readyz(State(app): State<Arc<App>>) -> Result<&'static str, ApiError> {
    if app.shutdown.is_cancelled() {
        return Err(ApiError::new(
            ErrorCode::ServerRestarting,
            "the server is shutting down",
        ));
    }
    let probe = app.registry.store().probe_write();
    match tokio::time::timeout(std::time::Duration::from_secs(5), probe).await {
        Ok(Ok(())) => Ok("ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the store failed a write");
            Err(not_ready("the store failed a write"))
        }
        Err(_) => Err(not_ready("the store did not answer in time")),
    }
}

fn not_ready(message: &str) -> ApiError {
    ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        ..ApiError::new(ErrorCode::Internal, message)
    }
}

async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(want) = app.config.metrics_token.as_deref() {
        let got = bearer(&headers, &TokenQuery { token: None });
        // Constant-time: compare digests, so the time taken tells nothing about the token.
        let digest = |s: &str| sha2::Sha256::digest(s.as_bytes());
        if got.is_none_or(|g| digest(&g) != digest(want)) {
            return ApiError::new(ErrorCode::Unauthorized, "/metrics needs its bearer token")
                .into_response();
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(s) => ([(header::CONTENT_TYPE, "application/json")], s).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

fn created_response(
    app: &App,
    created: crate::registry::Created,
) -> (StatusCode, Json<CafeCreatedResponse>) {
    let id = created.handle.id.clone();
    let grant = created.organiser_key.as_ref().map(|(_, g)| *g);
    let organiser_token =
        app.keys
            .issue_for_link(&id, created.organiser, Some(Role::Organiser), grant);
    let organiser_link = created
        .organiser_key
        .as_ref()
        .map(|(key, _)| crate::links::link_url(app, &id, key));
    // The projector's token lasts as long as the organiser's link is at this secret.
    let projector_token = app.keys.issue_for_link(&id, None, None, grant);
    (
        StatusCode::CREATED,
        Json(CafeCreatedResponse {
            cafe_id: id.0,
            code: created.code.as_str().to_owned(),
            code_display: created.code.display(),
            join_url: app.join_url(&created.code),
            organiser_token,
            projector_token,
            person_id: created.organiser.map(|p| p.0),
            organiser_qr_svg: organiser_link
                .as_deref()
                .and_then(|url| crate::links::qr_svg(url).ok()),
            organiser_link,
        }),
    )
}

fn create_error(e: CreateError) -> ApiError {
    match e {
        CreateError::Rejected(r) => r.into(),
        CreateError::Import(i) => ApiError::new(i.code(), i.to_string()),
        CreateError::Store(s) => s.into(),
    }
}

#[utoipa::path(post, path = "/api/cafes", request_body = CreateCafeRequest,
    responses((status = 201, body = CafeCreatedResponse), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
async fn create_cafe(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<CreateCafeRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let t = &app.config.tuning;
    app.throttles
        .creates
        .take(ip, t.creates_per_window, t.join_failure_window)?;
    let created = app
        .registry
        .create(|id, code, now| {
            Registry::create_events(
                now,
                &SystemCommand::CreateCafe {
                    id,
                    code,
                    title: req.title.clone(),
                    description: req.description.clone().unwrap_or_default(),
                    mode: req.mode.unwrap_or_default(),
                    language: req.language.unwrap_or_default(),
                    settings: req.settings.clone().unwrap_or_default(),
                    organiser_name: req.organiser_name.clone(),
                },
            )
        })
        .await
        .map_err(create_error)?;
    Ok(created_response(&app, created))
}

/// Resolves a join code, counting misses against the caller's IP. The attempt is counted
/// *before* the look-up and given back when it finds a café: counting after the (slow)
/// look-up let parallel guesses overrun the limit.
pub(crate) async fn resolve_code(
    app: &App,
    ip: IpAddr,
    code: &str,
) -> Result<crate::cafe::CafeHandle, ApiError> {
    let t = &app.config.tuning;
    let misses = &app.throttles.join_failures;
    misses.take(ip, t.join_failures, t.join_failure_window)?;
    let not_found = || ApiError::new(ErrorCode::NotFound, "no café has this code");
    let Ok(code) = JoinCode::parse(code) else {
        return Err(not_found());
    };
    match app.registry.by_code(&code).await {
        Ok(Some(h)) => {
            misses.give_back(ip);
            Ok(h)
        }
        Ok(None) => Err(not_found()),
        Err(e) => {
            misses.give_back(ip);
            Err(e.into())
        }
    }
}

#[utoipa::path(get, path = "/api/cafes/by-code/{code}", params(("code" = String, Path, description = "Join code, as typed")),
    responses((status = 200, body = PublicInfo), (status = 404, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
async fn lookup(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> Result<Json<PublicInfo>, ApiError> {
    let handle = resolve_code(&app, ip, &code).await?;
    let info = handle
        .inspect(|s, _, _| {
            s.info.as_ref().map(|i| PublicInfo {
                cafe_id: i.id.0.clone(),
                code: i.code.as_str().to_owned(),
                code_display: i.code.display(),
                title: i.title.clone(),
                description: i.description.clone(),
                mode: i.mode,
                language: i.language,
                phase: s.phase,
                anonymous: i.settings.anonymous,
                joining_open: s.joining_open,
            })
        })
        .await?;
    info.map(Json)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no café has this code"))
}

#[utoipa::path(post, path = "/api/cafes/by-code/{code}/join", request_body = JoinRequest,
    params(("code" = String, Path, description = "Join code, as typed")),
    responses((status = 200, body = JoinResponse), (status = 403, body = ApiErrorBody, description = "joining_closed: a facilitator closed the café to new people"), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
async fn join(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Json<JoinResponse>, ApiError> {
    let handle = resolve_code(&app, ip, &code).await?;
    let t = &app.config.tuning;
    app.throttles
        .joins
        .take((ip, handle.id.clone()), t.join_burst, t.joins_per_sec)?;
    let person = handle
        .join(req.name, Role::Participant, req.location)
        .await??;
    Ok(Json(JoinResponse {
        cafe_id: handle.id.0.clone(),
        person_id: person.0,
        token: app
            .keys
            .issue(&handle.id, Some(person), Some(Role::Participant)),
        role: Role::Participant,
    }))
}

#[utoipa::path(get, path = "/api/cafes/{id}/qr.svg", params(("id" = String, Path, description = "Café id")),
    responses((status = 200, content_type = "image/svg+xml", description = "QR code of the join URL"), (status = 404, body = ApiErrorBody)))]
async fn qr_svg(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let handle = app
        .registry
        .get(&cafe_shared::CafeId(id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such café"))?;
    let code = handle
        .inspect(|s, _, _| s.info.as_ref().map(|i| i.code.clone()))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such café"))?;
    let svg = crate::links::qr_svg(&app.join_url(&code))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// The token from `Authorization: Bearer` or `?token=`.
pub(crate) fn bearer(headers: &HeaderMap, query: &TokenQuery) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim).map(str::to_owned))
        .or_else(|| query.token.clone())
}

/// The caller of a café's route, from their token (`Authorization: Bearer` or `?token=`):
/// the café, and the person and access link the token names. No token, or one that does not
/// verify → 401; another café's → 403; an unknown café → 404; the projector's → 403 (it is
/// nobody). Whether the café still admits them is the route's to ask, after its own checks.
pub(crate) async fn caller(
    app: &App,
    id: &str,
    headers: &HeaderMap,
    query: &TokenQuery,
) -> Result<(CafeHandle, PersonId, Option<Grant>), ApiError> {
    let token = bearer(headers, query)
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "a token is required"))?;
    let claims = app
        .keys
        .verify(&token)
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    if claims.cafe != id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "this token belongs to another café",
        ));
    }
    let handle = app
        .registry
        .get(&claims.cafe_id())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such café"))?;
    let person = claims.person().ok_or_else(|| {
        ApiError::new(ErrorCode::Forbidden, "the projector's token cannot do this")
    })?;
    Ok((handle, person, claims.grant()))
}

/// Checks an organiser or facilitator token for this café; returns the café's state.
async fn facilitator_state(
    app: &App,
    id: &str,
    headers: &HeaderMap,
    query: &TokenQuery,
) -> Result<(CafeState, u64, u64), ApiError> {
    let (handle, person, grant) = caller(app, id, headers, query).await?;
    let (state, epoch, seq) = handle.inspect(|s, e, q| (s.clone(), e, q)).await?;
    // Every refusal is 403 here (also "removed"): the token itself was valid, so it is not
    // the `unauthorized` a WebSocket hello would get.
    if state.may_export(person).is_err() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the organiser or a facilitator can export",
        ));
    }
    // A token from an access link that was replaced since opens nothing (401).
    state.admits(person, grant)?;
    Ok((state, epoch, seq))
}

#[utoipa::path(get, path = "/api/cafes/{id}/{file}",
    params(("id" = String, Path, description = "Café id"), ("file" = String, Path, description = "export.json, export.csv, export-actions.csv, export.md or report.html (the impact report, a printable page)"),
           ("token" = Option<String>, Query, description = "Organiser or facilitator token (or Authorization: Bearer)")),
    responses((status = 200, description = "The export"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn export(
    State(app): State<Arc<App>>,
    Path((id, file)): Path<(String, String)>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kind = match file.as_str() {
        "export.json" => ExportKind::Json,
        "export.csv" => ExportKind::Csv,
        "export-actions.csv" => ExportKind::ActionsCsv,
        "export.md" => ExportKind::Markdown,
        "report.html" => ExportKind::Report,
        _ => return Err(ApiError::new(ErrorCode::NotFound, "no such endpoint")),
    };
    let (state, _epoch, seq) = facilitator_state(&app, &id, &headers, &query).await?;
    render_export(&app, kind, &state, seq).await
}

pub enum ExportKind {
    Json,
    Csv,
    /// The café's actions, one row each.
    ActionsCsv,
    Markdown,
    /// The impact report: one printable HTML page.
    Report,
}

#[utoipa::path(post, path = "/api/cafes/import", request_body(content = Object, description = "A JSON export"),
    responses((status = 201, body = CafeCreatedResponse), (status = 400, body = ApiErrorBody), (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
async fn import(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    req: axum::extract::Request,
) -> Result<impl IntoResponse, ApiError> {
    let t = &app.config.tuning;
    // Everything that can refuse cheaply comes before the upload is read: the per-IP
    // throttle, then a server-wide slot, so parallel imports cannot multiply memory.
    app.throttles
        .imports
        .take(ip, t.imports_per_window, t.import_window)?;
    app.throttles
        .creates
        .take(ip, t.creates_per_window, t.join_failure_window)?;
    let _slot = app
        .throttles
        .import_slot(t.imports_at_once, t.import_wait)
        .await?;
    let body = ApiBytes::from_request(req, &()).await?;
    let max_bytes = t.max_body_bytes;
    let max_events = t.import_max_events;
    // Parsing and replaying a large log under the rules takes a while: off the async
    // threads, once.
    let imported = tokio::task::spawn_blocking(move || {
        let doc = import::parse_export_limited(&body.0, max_bytes)?;
        drop(body);
        import::check_limited(doc, max_events)
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
    .map_err(|e| create_error(CreateError::Import(e)))?;
    let created = app
        .registry
        .create(move |id, code, _now| Ok(imported.into_events_for(&id, &code)))
        .await
        .map_err(create_error)?;
    Ok(created_response(&app, created))
}

// ----- export wiring (the formats live in export/{json,csv,markdown}.rs) -----

async fn render_export(
    app: &App,
    kind: ExportKind,
    state: &CafeState,
    seq: u64,
) -> Result<Response, ApiError> {
    let id = state
        .info
        .as_ref()
        .map(|i| i.id.clone())
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such café"))?;
    let now = crate::cafe::now_millis();
    let file = |ext: &str| {
        let slug: String = state
            .info
            .as_ref()
            .map(|i| i.code.as_str().to_owned())
            .unwrap_or_default();
        format!("attachment; filename=\"cafe-{slug}.{ext}\"")
    };
    match kind {
        ExportKind::Json => {
            let events = committed_log(app, &id, seq).await?;
            let doc = export::export_json(state, &events, now);
            Ok((
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::CONTENT_DISPOSITION, file("json")),
                ],
                Json(doc),
            )
                .into_response())
        }
        ExportKind::Csv => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, file("csv")),
            ],
            export::export_csv(state),
        )
            .into_response()),
        ExportKind::ActionsCsv => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, file("actions.csv")),
            ],
            export::export_actions_csv(state),
        )
            .into_response()),
        ExportKind::Markdown => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "text/markdown; charset=utf-8".to_owned(),
                ),
                (header::CONTENT_DISPOSITION, file("md")),
            ],
            export::export_markdown(state, now),
        )
            .into_response()),
        ExportKind::Report => {
            let events = committed_log(app, &id, seq).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                    // Its own policy: nothing runs or loads, its inline style by hash.
                    (
                        header::CONTENT_SECURITY_POLICY,
                        export::report_csp().to_owned(),
                    ),
                    // The address holds a facilitator's token: never kept by a cache.
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                export::export_report_html(state, &events, now),
            )
                .into_response())
        }
    }
}

/// The committed log up to the state's seq, read in pages.
async fn committed_log(
    app: &App,
    id: &cafe_shared::CafeId,
    seq: u64,
) -> Result<Vec<export::StoredEvent>, ApiError> {
    let mut events = Vec::new();
    let mut after = 0;
    while after < seq {
        let page = app.registry.store().events_after(id, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        events.extend(
            page.into_iter()
                .filter(|e| e.seq <= seq)
                .map(|e| export::StoredEvent {
                    seq: e.seq,
                    at: e.at,
                    event: e.event,
                }),
        );
    }
    Ok(events)
}

//! Access links over HTTP (issue 13): redeem a link's key for a token, and the organiser's
//! list, invitations, new secrets and revocations. The secrets are made and hashed here;
//! the café (through the same commands, events and store as everything else) keeps only
//! the hashes. Secrets travel in URL fragments (`#…`), which browsers never send, and in
//! request and response bodies, which are never logged.

use crate::auth::{link_hash, new_link_secret};
use crate::cafe::CafeHandle;
use crate::client_ip::ClientIp;
use crate::errors::{ApiError, ApiJson};
use crate::App;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use cafe_shared::api::{
    ApiErrorBody, LinkCreated, LinkInfo, LinksResponse, NewLinkRequest, RedeemRequest,
    RedeemResponse, TokenQuery,
};
use cafe_shared::{CafeId, CafeState, Command, ErrorCode, Grant, PersonId};
use std::sync::Arc;

/// The address of a link: the secret rides in the fragment, so it never reaches a server
/// log, a proxy or a `Referer`.
pub fn link_url(app: &App, cafe: &CafeId, key: &str) -> String {
    format!("{}/c/{}/key#{key}", app.public_url, cafe.0)
}

/// A QR code of `url`, as SVG.
pub fn qr_svg(url: &str) -> Result<String, ApiError> {
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(ApiError::internal)?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

async fn cafe(app: &App, id: &str) -> Result<CafeHandle, ApiError> {
    app.registry
        .get(&CafeId(id.to_owned()))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such café"))
}

/// The organiser, admitted: what every link route but `redeem` needs.
async fn organiser(
    app: &App,
    id: &str,
    headers: &HeaderMap,
) -> Result<(CafeHandle, PersonId), ApiError> {
    let (handle, person, grant) =
        crate::http::caller(app, id, headers, &TokenQuery::default()).await?;
    handle
        .inspect(move |s, _, _| {
            s.admits(person, grant)?;
            s.may_manage_links(person)
        })
        .await??;
    Ok((handle, person))
}

/// A link's number from the path; anything else names no link (404, like an unknown one,
/// rather than the framework's plain-text 400).
fn link_number(s: &str) -> Result<u32, ApiError> {
    s.parse()
        .map_err(|_| ApiError::new(ErrorCode::NotFound, "no such link"))
}

fn infos(s: &CafeState, me: PersonId) -> Vec<LinkInfo> {
    s.links
        .iter()
        .filter_map(|l| {
            let p = s.people.get(&l.person)?;
            Some(LinkInfo {
                link: l.id,
                person_id: l.person.0,
                name: p.name.clone(),
                role: p.role,
                created_at: l.created_at,
                generation: l.generation,
                revoked: l.revoked || p.removed,
                online: p.online,
                yours: l.person == me,
            })
        })
        .collect()
}

#[utoipa::path(post, path = "/api/cafes/{id}/links/redeem", request_body = RedeemRequest,
    params(("id" = String, Path, description = "Café id")),
    responses((status = 200, body = RedeemResponse), (status = 401, body = ApiErrorBody, description = "unauthorized: no such live link"), (status = 404, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
pub(crate) async fn redeem(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RedeemRequest>,
) -> Result<Json<RedeemResponse>, ApiError> {
    let t = &app.config.tuning;
    // Wrong keys count like wrong join codes: a guesser is slowed down the same way.
    let misses = &app.throttles.join_failures;
    misses.take(ip, t.join_failures, t.join_failure_window)?;
    let refused = || ApiError::new(ErrorCode::Unauthorized, "this link is not valid");
    let (link, secret) = req.key.trim().split_once('.').ok_or_else(refused)?;
    let link: u32 = link.parse().map_err(|_| refused())?;
    let hash = link_hash(secret);
    let handle = cafe(&app, &id).await?;
    let found = handle
        .inspect(move |s, _, _| {
            let (p, grant) = s.redeem(link, &hash)?;
            let code = s
                .info
                .as_ref()
                .map(|i| i.code.display())
                .unwrap_or_default();
            Ok::<_, cafe_shared::Rejection>((p.id, p.name.clone(), p.role, grant, code))
        })
        .await?;
    let (person, name, role, grant, code_display) = found?;
    misses.give_back(ip);
    let cafe = handle.id.clone();
    Ok(Json(RedeemResponse {
        cafe_id: cafe.0.clone(),
        person_id: person.0,
        name,
        role,
        token: app
            .keys
            .issue_for_link(&cafe, Some(person), Some(role), Some(grant)),
        projector_token: role
            .is_facilitator()
            .then(|| app.keys.issue_for_link(&cafe, None, None, Some(grant))),
        code_display,
    }))
}

#[utoipa::path(get, path = "/api/cafes/{id}/links",
    params(("id" = String, Path, description = "Café id")),
    responses((status = 200, body = LinksResponse), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<LinksResponse>, ApiError> {
    let (handle, me) = organiser(&app, &id, &headers).await?;
    let links = handle.inspect(move |s, _, _| infos(s, me)).await?;
    Ok(Json(LinksResponse { links }))
}

/// Runs a link command as `me` and describes the link `pick` finds afterwards.
async fn made(
    app: &App,
    handle: &CafeHandle,
    me: PersonId,
    command: Command,
    secret: String,
    pick: impl Fn(&CafeState) -> Option<u32> + Send + 'static,
) -> Result<LinkCreated, ApiError> {
    handle.command_as(me, command).await??;
    let found = handle
        .inspect(move |s, _, _| {
            let l = s.link(pick(s)?)?;
            let role = s.people.get(&l.person)?.role;
            Some((l.id, l.person, l.generation, role))
        })
        .await?;
    let (link, person, generation, role) = found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "the link was given another secret meanwhile; ask again",
        )
    })?;
    let url = link_url(app, &handle.id, &format!("{link}.{secret}"));
    Ok(LinkCreated {
        link,
        person_id: person.0,
        qr_svg: qr_svg(&url)?,
        url,
        // The caller's own sessions end with the old secret; this keeps them in.
        token: (person == me).then(|| {
            app.keys.issue_for_link(
                &handle.id,
                Some(person),
                Some(role),
                Some(Grant { link, generation }),
            )
        }),
        projector_token: (person == me).then(|| {
            app.keys
                .issue_for_link(&handle.id, None, None, Some(Grant { link, generation }))
        }),
    })
}

#[utoipa::path(post, path = "/api/cafes/{id}/links", request_body = NewLinkRequest,
    params(("id" = String, Path, description = "Café id")),
    responses((status = 201, body = LinkCreated), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewLinkRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (handle, me) = organiser(&app, &id, &headers).await?;
    let (secret, hash) = new_link_secret();
    let command = Command::IssueLink {
        role: req.role,
        name: req.name,
        hash: hash.clone(),
    };
    let pick = move |s: &CafeState| s.links.iter().find(|l| l.hash == hash).map(|l| l.id);
    let made = made(&app, &handle, me, command, secret, pick).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(post, path = "/api/cafes/{id}/links/{link}/rotate",
    params(("id" = String, Path, description = "Café id"), ("link" = u32, Path, description = "Link id")),
    responses((status = 200, body = LinkCreated), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
pub(crate) async fn rotate(
    State(app): State<Arc<App>>,
    Path((id, link)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<LinkCreated>, ApiError> {
    let (handle, me) = organiser(&app, &id, &headers).await?;
    let link = link_number(&link)?;
    let (secret, hash) = new_link_secret();
    let command = Command::RotateLink {
        link,
        hash: hash.clone(),
    };
    // By the hash: if two rotations race, each answer describes its own secret or none.
    let pick = move |s: &CafeState| s.link(link).filter(|l| l.hash == hash).map(|l| l.id);
    Ok(Json(made(&app, &handle, me, command, secret, pick).await?))
}

#[utoipa::path(delete, path = "/api/cafes/{id}/links/{link}",
    params(("id" = String, Path, description = "Café id"), ("link" = u32, Path, description = "Link id")),
    responses((status = 204, description = "Revoked: its person is removed and their sessions closed (4001)"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
pub(crate) async fn revoke(
    State(app): State<Arc<App>>,
    Path((id, link)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (handle, me) = organiser(&app, &id, &headers).await?;
    let link = link_number(&link)?;
    handle
        .command_as(me, Command::RevokeLink { link })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}

//! The HTTP API's bodies, written once for the server, the browser and the tests.
//!
//! | Route | Request | Success |
//! | --- | --- | --- |
//! | `POST /api/cafes` | [`CreateCafeRequest`] | 201 [`CafeCreatedResponse`] |
//! | `POST /api/cafes/import` | a JSON export | 201 [`CafeCreatedResponse`] |
//! | `GET /api/cafes/by-code/{code}` | — | 200 [`PublicInfo`] |
//! | `POST /api/cafes/by-code/{code}/join` | [`JoinRequest`] | 200 [`JoinResponse`] |
//! | `POST /api/cafes/{id}/links/redeem` | [`RedeemRequest`] | 200 [`RedeemResponse`] |
//! | `GET /api/cafes/{id}/links` | — (organiser's token) | 200 [`LinksResponse`] |
//! | `POST /api/cafes/{id}/links` | [`NewLinkRequest`] (organiser's token) | 201 [`LinkCreated`] |
//! | `POST /api/cafes/{id}/links/{link}/rotate` | — (organiser's token) | 200 [`LinkCreated`] |
//! | `DELETE /api/cafes/{id}/links/{link}` | — (organiser's token) | 204 |
//!
//! Every failure is an [`ApiErrorBody`] with a status that fits its code. Ids and codes are
//! plain strings and numbers here (not the typed ids) because that is what a client outside
//! Rust sees.
//!
//! With the `openapi` feature (the server's) the types also describe themselves for
//! `/api/openapi.json`; the browser bundle is built without it.

use crate::error::ErrorCode;
use crate::model::{Language, Location, Mode, Phase, Role, Settings};
use serde::{Deserialize, Serialize};

/// `POST /api/cafes`: a new café, with its organiser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCafeRequest {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `in_person`, `online` or `hybrid` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub mode: Option<Mode>,
    /// `ar`, `zh`, `en` (default), `fr`, `ru` or `es`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub language: Option<Language>,
    /// `{anonymous, moderation, default_budget, default_per_item_cap, default_visibility}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub settings: Option<Settings>,
    pub organiser_name: String,
}

/// 201 answer to creating or importing a café.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CafeCreatedResponse {
    pub cafe_id: String,
    /// The join code without separators, e.g. `K7QM2P`.
    pub code: String,
    /// The join code as shown to people, e.g. `K7Q-M2P`.
    pub code_display: String,
    pub join_url: String,
    /// Token of the organiser (send it in `hello`; it also authorizes exports).
    pub organiser_token: String,
    /// Token for the projector screen, which watches and is nobody.
    pub projector_token: String,
    /// The organiser's person id; `None` for an import without an organiser.
    pub person_id: Option<u64>,
    /// The organiser's access link (`{public url}/c/{id}/key#{link}.{secret}`): opens the
    /// café as its organiser on any device. Shown once; only its hash is kept. `None` for
    /// an import without an organiser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organiser_link: Option<String>,
    /// `organiser_link` as a QR code (SVG), to scan with a tablet or phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organiser_qr_svg: Option<String>,
}

/// `POST /api/cafes/{id}/links/redeem`: an access link's key, the part after `#`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// `{link}.{secret}`, e.g. `1.q0Jx…` (43 characters of secret).
    pub key: String,
}

/// 200 answer to redeeming a link: the person it opens, and their token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemResponse {
    pub cafe_id: String,
    pub person_id: u64,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// For `hello` and exports; it stops working when the link is rotated or revoked.
    pub token: String,
    /// For the organiser and facilitators: the projector's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projector_token: Option<String>,
    pub code_display: String,
}

/// `POST /api/cafes/{id}/links`: invite a co-facilitator or a table host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLinkRequest {
    /// `facilitator` or `host`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The invitee's display name in the café.
    pub name: String,
}

/// A link just made or given a new secret. `url` and `qr_svg` hold the secret: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkCreated {
    pub link: u32,
    pub person_id: u64,
    pub url: String,
    /// The link as a QR code (SVG), to scan from the screen.
    pub qr_svg: String,
    /// When the caller rotated their own link: their new token (the old one stops).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// With `token`: a new projector token, as the old one was tied to the old secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projector_token: Option<String>,
}

/// One access link as the organiser sees it (never its secret or hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInfo {
    pub link: u32,
    pub person_id: u64,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// How many times it got a new secret.
    pub generation: u32,
    /// Revoked, or its person was removed: it opens nothing any more.
    pub revoked: bool,
    pub online: bool,
    /// The caller's own link.
    pub yours: bool,
}

/// 200 answer to `GET /api/cafes/{id}/links`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinksResponse {
    pub links: Vec<LinkInfo>,
}

/// 200 answer to `GET /api/cafes/by-code/{code}`: what the join page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicInfo {
    pub cafe_id: String,
    pub code: String,
    pub code_display: String,
    pub title: String,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub mode: Mode,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: Language,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub phase: Phase,
    pub anonymous: bool,
    /// `false` when a facilitator has closed the café to new people: a join would get 403
    /// `joining_closed`, so the join page says so before anyone types a name.
    pub joining_open: bool,
}

/// `POST /api/cafes/by-code/{code}/join`: join as a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub name: String,
    /// `room` or `remote`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub location: Location,
}

/// 200 answer to joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinResponse {
    pub cafe_id: String,
    pub person_id: u64,
    /// The participant's token, for `hello`.
    pub token: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
}

/// Every HTTP failure: `{"code": "not_found", "message": "…"}`. The codes are the
/// WebSocket protocol's [`ErrorCode`]s, so a client handles one vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// Snake-case error code shared with the WebSocket protocol, e.g. `not_found`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: ErrorCode,
    /// For people; wording may change, so clients decide on `code`.
    #[serde(default)]
    pub message: String,
}

/// `?token=` on export links, which cannot carry an `Authorization` header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_minimal_create_request_is_title_and_organiser() {
        let r: CreateCafeRequest =
            serde_json::from_value(json!({"title": "T", "organiser_name": "Olga"}))
                .expect("parses");
        assert_eq!(r.mode, None);
        assert_eq!(
            serde_json::to_value(&r).expect("serializes"),
            json!({"title": "T", "organiser_name": "Olga"})
        );
        assert!(serde_json::from_value::<CreateCafeRequest>(
            json!({"title": "T", "organiser_name": "O", "x": 1})
        )
        .is_err());
    }

    #[test]
    fn bodies_use_the_wire_names() {
        let j = JoinRequest {
            name: "Ann".into(),
            location: Location::Remote,
        };
        assert_eq!(
            serde_json::to_value(&j).expect("serializes"),
            json!({"name": "Ann", "location": "remote"})
        );
        let e: ApiErrorBody = serde_json::from_value(json!({"code": "rate_limited"}))
            .expect("a message may be missing");
        assert_eq!(e.code, ErrorCode::RateLimited);
        let r: JoinResponse = serde_json::from_value(
            json!({"cafe_id": "c", "person_id": 3, "token": "t", "role": "participant"}),
        )
        .expect("parses");
        assert_eq!(r.role, Role::Participant);
    }
}

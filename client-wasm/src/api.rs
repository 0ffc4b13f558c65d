//! The HTTP half of the contract: create a café, join one by code.

use cafe_shared::{Language, Location, Mode, Settings};
use gloo_net::http::{Request, Response};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl ApiError {
    fn network() -> Self {
        Self {
            code: "network".into(),
            message: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateCafe {
    pub title: String,
    pub description: String,
    pub mode: Mode,
    pub language: Language,
    pub settings: Settings,
    pub organiser_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Created {
    pub cafe_id: String,
    pub code: String,
    pub code_display: String,
    pub join_url: String,
    pub organiser_token: String,
    pub projector_token: String,
}

#[derive(Debug, Clone, Serialize)]
struct JoinBody<'a> {
    name: &'a str,
    location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Joined {
    pub cafe_id: String,
    pub token: String,
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(|_| ApiError::network())
    } else {
        Err(resp.json::<ApiError>().await.unwrap_or(ApiError {
            code: "internal".into(),
            message: resp.status_text(),
        }))
    }
}

pub async fn create_cafe(body: &CreateCafe) -> Result<Created, ApiError> {
    let req = Request::post("/api/cafes")
        .json(body)
        .map_err(|_| ApiError::network())?;
    read(req.send().await.map_err(|_| ApiError::network())?).await
}

pub async fn join(code: &str, name: &str, location: Location) -> Result<Joined, ApiError> {
    let req = Request::post(&format!("/api/cafes/by-code/{code}/join"))
        .json(&JoinBody { name, location })
        .map_err(|_| ApiError::network())?;
    read(req.send().await.map_err(|_| ApiError::network())?).await
}

/// Export download link; the token rides in the query because a plain link cannot carry an
/// Authorization header.
pub fn export_url(cafe: &str, format: &str, token: &str) -> String {
    format!("/api/cafes/{cafe}/export.{format}?token={token}")
}

pub fn qr_url(cafe: &str) -> String {
    format!("/api/cafes/{cafe}/qr.svg")
}

pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

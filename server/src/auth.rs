//! Tokens: HS256 JWTs signed by the server. The café and the person live in the claims; the
//! role in the token is informational (the café state decides what a person may do).

use base64::Engine;
use cafe_shared::{CafeId, ErrorCode, PersonId, Role};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub cafe: String,
    /// The person; `None` for the projector.
    pub sub: Option<u64>,
    pub role: String,
    pub iat: u64,
    pub exp: u64,
}

impl Claims {
    pub fn cafe_id(&self) -> CafeId {
        CafeId(self.cafe.clone())
    }

    pub fn person(&self) -> Option<PersonId> {
        self.sub.map(PersonId)
    }
}

/// Role names used in tokens.
pub fn role_name(role: Option<Role>) -> &'static str {
    // The projector is nobody, so it has no `Role`; people's roles use their wire names.
    role.map_or("projector", Role::as_str)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is missing, malformed or not signed by this server")]
    Invalid,
    #[error("the token has expired; join again")]
    Expired,
}

impl TokenError {
    pub fn code(self) -> ErrorCode {
        match self {
            TokenError::Invalid => ErrorCode::Unauthorized,
            TokenError::Expired => ErrorCode::TokenExpired,
        }
    }
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Keys {
    /// Fails only for an unusable secret (e.g. empty).
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        // The server is the only issuer and verifier, so there is no clock skew to allow.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl,
        })
    }

    pub fn issue(&self, cafe: &CafeId, person: Option<PersonId>, role: Option<Role>) -> String {
        let iat = now_secs();
        let claims = Claims {
            cafe: cafe.0.clone(),
            sub: person.map(|p| p.0),
            role: role_name(role).to_owned(),
            iat,
            exp: iat + self.ttl.as_secs(),
        };
        // HS256 signing of a small serializable struct cannot fail; an empty token would
        // simply be refused later.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(TokenError::Expired),
            Err(_) => Err(TokenError::Invalid),
        }
    }
}

/// The configured secret, or the one kept in the data directory (created on first start).
pub fn load_or_create_secret(
    configured: Option<&str>,
    data_dir: &Path,
) -> std::io::Result<Vec<u8>> {
    // An empty value (e.g. an unset variable passed through docker compose) means "none".
    if let Some(s) = configured.filter(|s| !s.trim().is_empty()) {
        return Ok(s.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt_secret");
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let bytes: [u8; 32] = rand::random();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret)?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

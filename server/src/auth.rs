//! Tokens: HS256 JWTs signed by the server. The café and the person live in the claims; the
//! role in the token is informational (the café state decides what a person may do).

use base64::Engine;
use cafe_shared::{CafeId, ErrorCode, Grant, PersonId, Role};
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
    /// The access link this token was made from, and the link's generation then; absent
    /// for a join by code (see `CafeState::admits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Grant>,
}

impl Claims {
    pub fn cafe_id(&self) -> CafeId {
        CafeId(self.cafe.clone())
    }

    pub fn person(&self) -> Option<PersonId> {
        self.sub.map(PersonId)
    }

    pub fn grant(&self) -> Option<Grant> {
        self.link
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
        self.issue_for_link(cafe, person, role, None)
    }

    /// A token from an access link: it lets its person in only while `grant` is the link's
    /// current generation.
    pub fn issue_for_link(
        &self,
        cafe: &CafeId,
        person: Option<PersonId>,
        role: Option<Role>,
        link: Option<Grant>,
    ) -> String {
        let iat = now_secs();
        let claims = Claims {
            cafe: cafe.0.clone(),
            sub: person.map(|p| p.0),
            role: role_name(role).to_owned(),
            iat,
            exp: iat + self.ttl.as_secs(),
            link,
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

/// A new access-link secret and its hash: 32 random bytes (URL-safe base64, 43 characters),
/// so guessing one is hopeless and a plain SHA-256 is a safe way to keep it.
pub fn new_link_secret() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = link_hash(&secret);
    (secret, hash)
}

/// How a link's secret is kept: lowercase hex SHA-256.
pub fn link_hash(secret: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(secret.as_bytes()))
}

/// A shorter HMAC key can be brute-forced offline from any one token.
pub const MIN_SECRET_BYTES: usize = 32;

/// The configured secret, or the one kept in `<data dir>/jwt_secret` (created on first
/// start, mode 0600). Refused, with a message saying what to do: a secret shorter than
/// [`MIN_SECRET_BYTES`], and a secret file that group or others may read (whoever read it
/// can forge every token, so it must be replaced, not just hidden). An empty file (say,
/// left by `touch` or a full disk) gets a fresh secret.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, String> {
    let short = |what: &str, n: usize| {
        format!(
            "{what} is {n} bytes; at least {MIN_SECRET_BYTES} are required \
             (e.g. `openssl rand -base64 32`)"
        )
    };
    // An empty value (e.g. an unset variable passed through docker compose) means "none".
    if let Some(s) = configured.filter(|s| !s.trim().is_empty()) {
        if s.len() < MIN_SECRET_BYTES {
            return Err(short("--jwt-secret (CAFE_JWT_SECRET)", s.len()));
        }
        return Ok(s.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt_secret");
    let shown = path.display();
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => {
            check_private(&path)?;
            let s = s.trim();
            if s.len() < MIN_SECRET_BYTES {
                return Err(short(&format!("the secret in {shown}"), s.len()));
            }
            return Ok(s.as_bytes().to_vec());
        }
        Ok(_) => {
            tracing::warn!(path = %shown, "the JWT secret file is empty; writing a new secret");
            std::fs::remove_file(&path).map_err(|e| format!("{shown}: {e}"))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{shown}: {e}")),
    }
    let bytes: [u8; 32] = rand::random();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).map_err(|e| format!("{shown}: {e}"))?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} can be read by group or others (mode {:o}): anyone who read it can forge \
             tokens. Delete it so a new secret is generated (this signs everyone out), or, \
             if it never left this account, `chmod 600` it",
            path.display(),
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), String> {
    Ok(())
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

//! localStorage keys, in one place. Everything is per café (and per audience where two
//! audiences can share a browser: an organiser often opens the projector on the same
//! laptop, and the projector must never show what only facilitators may see).

use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// What a browser keeps after joining or creating a café.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub token: String,
    #[serde(default)]
    pub name: String,
    /// Only for organisers: lets the console show projector and export links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projector_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_display: Option<String>,
}

pub const LANG_KEY: &str = "cafe.lang";
const FLASH_KEY: &str = "cafe.flash";

pub fn creds_key(cafe: &str) -> String {
    format!("cafe.creds.{cafe}")
}

/// `scope` separates a person's stream from the projector's in the same browser.
pub fn state_key(cafe: &str, scope: &str) -> String {
    format!("cafe.state.{cafe}.{scope}")
}

pub fn outbox_key(cafe: &str, scope: &str) -> String {
    format!("cafe.outbox.{cafe}.{scope}")
}

pub fn projector_key(cafe: &str) -> String {
    format!("cafe.projector.{cafe}")
}

/// The browser's localStorage, when it has one it lets us use: private modes and disabled
/// storage throw on access, and then the app keeps working in memory.
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    crate::json::from_str(&get_raw(key)?).ok()
}

/// Storage can be full or disabled (private mode); the app keeps working in memory then.
pub fn set<T: Serialize>(key: &str, value: &T) {
    if let Ok(text) = serde_json::to_string(value) {
        set_raw(key, &text);
    }
}

pub fn get_raw(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

pub fn set_raw(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}

pub fn credentials(cafe: &str) -> Option<Credentials> {
    get(&creds_key(cafe))
}

/// Forgets the person this browser joined `cafe` as: their token and their copy of the
/// café ("Not you? Join as someone else"). The person stays in the café; only this phone
/// lets go of them.
pub fn forget_person(cafe: &str) {
    remove(&creds_key(cafe));
    let state = state_key(cafe, "me");
    for key in [
        format!("{state}.log"),
        format!("{state}.who"),
        state,
        outbox_key(cafe, "me"),
    ] {
        remove(&key);
    }
}

/// A message for the landing page to show once (e.g. "you were removed").
pub fn set_flash(msg: &str) {
    set_raw(FLASH_KEY, msg);
}

pub fn take_flash() -> Option<String> {
    let v = get_raw(FLASH_KEY);
    remove(FLASH_KEY);
    v
}

//! Which build of the browser app each page address gets.
//!
//! The app ships as several WebAssembly builds of one source tree (client-wasm features), so
//! that each first load carries only its own screens: a phone opening a join link must not
//! download the facilitator's console, and a laptop opening the console must not download the
//! projector's or the create page's. The server answers a page address with this build's HTML
//! shell (`{name}.html`), and a build that finds itself on an address of another build loads
//! that page from the server. One mapping, read by both (`client-wasm/static/sw.js`, which
//! picks the shell offline, mirrors it and is checked against it in
//! `tests/browser/bundle.test.mjs`).

use crate::wire_enum::wire_enum;

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Bundle {
        /// `/`, `/j/{code}`, `/c/{id}` and any unknown address: the landing/join page and the
        /// board. What a participant downloads, so the smallest.
        Participant => "participant",
        /// `/new`: create a café; `/c/{id}/links`: the organiser's access links;
        /// `/c/{id}/key`: opening an access link.
        Create => "create",
        /// `/c/{id}/console`: the facilitator's console.
        Console => "console",
        /// `/c/{id}/projector`: the wall for the room's screen.
        Projector => "projector",
        /// `/c/{id}/scribe`: a table host's view.
        Scribe => "scribe",
    }
}

impl Bundle {
    /// The build a page address (a URL path) gets.
    pub fn for_path(path: &str) -> Bundle {
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("new"), None, ..) => Bundle::Create,
            (Some("c"), Some(_), Some("links" | "key"), None) => Bundle::Create,
            (Some("c"), Some(_), Some("console"), None) => Bundle::Console,
            (Some("c"), Some(_), Some("projector"), None) => Bundle::Projector,
            (Some("c"), Some(_), Some("scribe"), None) => Bundle::Scribe,
            _ => Bundle::Participant,
        }
    }

    /// The HTML shell of this build in the bundle (`participant.html`, …).
    pub fn shell(self) -> String {
        format!("{}.html", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_build() {
        for (path, want) in [
            ("/", Bundle::Participant),
            ("", Bundle::Participant),
            ("/j/K7MQ2P", Bundle::Participant),
            ("/j/K7M-Q2P/", Bundle::Participant),
            ("/c/abc", Bundle::Participant),
            ("/c/abc/", Bundle::Participant),
            ("/nowhere/at/all", Bundle::Participant),
            ("/new", Bundle::Create),
            ("/new/", Bundle::Create),
            ("/c/abc/console", Bundle::Console),
            ("/c/abc/console/", Bundle::Console),
            ("/c/abc/projector", Bundle::Projector),
            ("/c/abc/scribe", Bundle::Scribe),
            ("/c/abc/links", Bundle::Create),
            ("/c/abc/key", Bundle::Create),
            ("/c/abc/console/more", Bundle::Participant),
        ] {
            assert_eq!(Bundle::for_path(path), want, "{path}");
        }
        assert_eq!(Bundle::Console.shell(), "console.html");
    }
}

//! WebSocket close codes the server sends, and what a client should do after each.
//!
//! The server picks a [`CloseCode`] when it ends a connection; the browser (and any other
//! client) decides with [`CloseCode::policy`] whether to reconnect. Both read this one
//! table, so the numbers are never written anywhere else.

/// Every close code the server sends. 1xxx are RFC 6455 codes, 4xxx the café's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 1000: the client said `bye`, or the server has nothing more to say.
    Normal,
    /// 1002: the peer broke the WebSocket protocol (bad framing, unmasked frame …).
    ProtocolError,
    /// 1007: a text message that is not valid UTF-8.
    InvalidPayload,
    /// 1008: too many messages or bad frames (after a `bye{rate_limited}`).
    PolicyViolation,
    /// 1009: a message larger than the frame limit.
    TooBig,
    /// 1011: the café could not be loaded.
    Internal,
    /// 1012: the server is restarting.
    Restarting,
    /// 4000: resync: the outbound queue overflowed (or the café restarted); resume.
    Resync,
    /// 4001: bad, altered or foreign token, or the person was removed.
    Unauthorized,
    /// 4002: the token has expired; join again.
    TokenExpired,
    /// 4004: the client speaks another protocol version; only a new client helps.
    ProtocolVersion,
    /// 4008: no `hello` within the time allowed.
    HelloTimeout,
}

/// What a client does after the socket closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// Connect again (with backoff) and resume.
    Reconnect,
    /// The token was refused: back to the landing page.
    Leave,
    /// The server speaks another protocol, or said it is done: only a reload helps.
    Stop,
}

impl CloseCode {
    /// Every code, in numeric order.
    pub const ALL: [CloseCode; 12] = [
        CloseCode::Normal,
        CloseCode::ProtocolError,
        CloseCode::InvalidPayload,
        CloseCode::PolicyViolation,
        CloseCode::TooBig,
        CloseCode::Internal,
        CloseCode::Restarting,
        CloseCode::Resync,
        CloseCode::Unauthorized,
        CloseCode::TokenExpired,
        CloseCode::ProtocolVersion,
        CloseCode::HelloTimeout,
    ];

    /// The number in the close frame.
    pub const fn code(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::ProtocolError => 1002,
            CloseCode::InvalidPayload => 1007,
            CloseCode::PolicyViolation => 1008,
            CloseCode::TooBig => 1009,
            CloseCode::Internal => 1011,
            CloseCode::Restarting => 1012,
            CloseCode::Resync => 4000,
            CloseCode::Unauthorized => 4001,
            CloseCode::TokenExpired => 4002,
            CloseCode::ProtocolVersion => 4004,
            CloseCode::HelloTimeout => 4008,
        }
    }

    /// The code with this number, if the server sends it. Others (1006 "abnormal closure",
    /// which a browser reports when the connection just dropped, 1001 "going away" …)
    /// are `None`.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether trying again can help: the `reconnect` flag of the `bye` frame the server
    /// sends before closing with this code.
    pub const fn reconnect(self) -> bool {
        !matches!(
            self,
            CloseCode::Normal
                | CloseCode::Unauthorized
                | CloseCode::TokenExpired
                | CloseCode::ProtocolVersion
        )
    }

    /// What a client does after a close with `code` (any number, also ones the server
    /// never sends), given the `reconnect` flag of the `bye` that preceded it, if any.
    ///
    /// Unknown codes and 1006 (the connection dropped without a close frame: Wi-Fi gone,
    /// a proxy timed out) reconnect: the café is still there.
    pub fn policy(code: u16, bye_reconnect: Option<bool>) -> AfterClose {
        match Self::from_code(code) {
            Some(CloseCode::Unauthorized | CloseCode::TokenExpired) => AfterClose::Leave,
            Some(CloseCode::ProtocolVersion) => AfterClose::Stop,
            // A 1000 after the client's own `bye` is never handled; from the server, after
            // a `bye` that says not to come back, it means "done".
            Some(CloseCode::Normal) if bye_reconnect == Some(false) => AfterClose::Stop,
            _ => AfterClose::Reconnect,
        }
    }
}

impl From<CloseCode> for u16 {
    fn from(c: CloseCode) -> u16 {
        c.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_in_order() {
        for c in CloseCode::ALL {
            assert_eq!(CloseCode::from_code(c.code()), Some(c));
        }
        assert!(CloseCode::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
        assert_eq!(CloseCode::from_code(1006), None);
        assert_eq!(CloseCode::Resync.code(), 4000);
        assert_eq!(CloseCode::PolicyViolation.code(), 1008);
    }

    #[test]
    fn policy_is_the_clients_former_after_close() {
        assert_eq!(CloseCode::policy(4001, None), AfterClose::Leave);
        assert_eq!(CloseCode::policy(4002, Some(false)), AfterClose::Leave);
        assert_eq!(CloseCode::policy(4000, Some(true)), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(1012, Some(true)), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(1006, None), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(1008, Some(true)), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(4004, None), AfterClose::Stop);
        assert_eq!(CloseCode::policy(1000, Some(false)), AfterClose::Stop);
        assert_eq!(CloseCode::policy(1000, None), AfterClose::Reconnect);
    }

    #[test]
    fn the_bye_flag_agrees_with_the_policy() {
        for c in CloseCode::ALL {
            let after = CloseCode::policy(c.code(), Some(c.reconnect()));
            assert_eq!(after == AfterClose::Reconnect, c.reconnect(), "{c:?}");
        }
    }
}

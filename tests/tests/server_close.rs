//! How the server ends a WebSocket connection, seen over a real socket: a flood ends with
//! `bye` + 1008 that a client still writing can read (not a reset), a broken frame with
//! 1002 / 1007, and an unknown enum value is `invalid` over WebSocket as over HTTP.

use cafe_shared::{ClientFrame, CloseCode, ErrorCode, ServerFrame, PROTOCOL_VERSION};
use cafe_tests::{parse_server_frame, TestServer, RECV_GUARD};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::MaybeTlsStream;

type Ws = tokio_tungstenite::WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &TestServer) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(server.ws_url())
        .await
        .expect("WebSocket connects");
    ws
}

fn hello(token: &str) -> Message {
    let f = ClientFrame::Hello {
        protocol: PROTOCOL_VERSION,
        token: token.to_owned(),
        resume: None,
    };
    Message::text(serde_json::to_string(&f).expect("encodes"))
}

/// What a client saw until the connection ended: the `bye` (if any) and the close code,
/// or `None` when the connection failed without a close frame (a browser's 1006).
#[derive(Debug, Default)]
struct Ending {
    bye: Option<ErrorCode>,
    code: Option<u16>,
}

/// Reads frames until the close frame or a failure.
async fn read_to_end(ws: &mut Ws) -> Ending {
    let mut end = Ending::default();
    loop {
        let next = tokio::time::timeout(RECV_GUARD, ws.next())
            .await
            .expect("the server ends the connection (hang guard)");
        match next {
            Some(Ok(Message::Text(t))) => {
                if let Ok(ServerFrame::Bye { code, .. }) = parse_server_frame(&t) {
                    end.bye = Some(code);
                }
            }
            Some(Ok(Message::Close(c))) => {
                end.code = c.map(|c| u16::from(c.code));
                return end;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return end,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_still_writing_when_the_flood_limit_closes_it_reads_bye_and_1008() {
    let server = TestServer::start_with(|c| {
        c.tuning.rate_burst = 5.0;
        c.tuning.strike_burst = 3.0;
    })
    .await;
    let cafe = server.create_cafe("Flood", "Olga", json!({})).await;
    for round in 0..3 {
        let mut ws = connect(&server).await;
        ws.send(hello(&cafe.organiser_token)).await.expect("hello");
        let (mut sink, mut stream) = ws.split();
        // Like a browser: one connection that writes as fast as it can and reads what
        // comes. A failed write (the server reset the connection) ends it without a close
        // code; writing after the close handshake started is refused locally and skipped.
        let mut end = Ending::default();
        let mut writing = true;
        let ended = loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(Ok(Message::Text(t))) => {
                        if let Ok(ServerFrame::Bye { code, .. }) = parse_server_frame(&t) {
                            end.bye = Some(code);
                        }
                    }
                    Some(Ok(Message::Close(c))) => {
                        end.code = c.map(|c| u16::from(c.code));
                        break end;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break end,
                },
                sent = sink.send(Message::text(r#"{"type":"ping","t":1}"#)), if writing => {
                    match sent {
                        Ok(()) => {}
                        Err(tungstenite::Error::Protocol(_)) => writing = false,
                        Err(_) => break end,
                    }
                }
                _ = tokio::time::sleep(RECV_GUARD) => panic!("no close (hang guard)"),
            }
        };
        assert_eq!(
            ended.code,
            Some(CloseCode::PolicyViolation.code()),
            "round {round}: {ended:?}"
        );
        assert_eq!(ended.bye, Some(ErrorCode::RateLimited), "round {round}");
    }
    server.stop().await;
}

/// Opens a connection, then writes `bytes` straight to the TCP socket behind tungstenite's
/// back (a frame no well-behaved client library would send).
async fn send_raw(server: &TestServer, bytes: &[u8]) -> Ending {
    let mut ws = connect(server).await;
    match ws.get_mut() {
        MaybeTlsStream::Plain(tcp) => {
            tcp.write_all(bytes).await.expect("raw write");
            tcp.flush().await.expect("flush");
        }
        _ => unreachable!("tests use plain TCP"),
    }
    read_to_end(&mut ws).await
}

/// A client frame (masked with a zero key, so the payload stays readable).
fn raw_frame(first_byte: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut f = vec![first_byte, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    f.extend_from_slice(payload);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_protocol_error_is_closed_with_1002() {
    let server = TestServer::start().await;
    // FIN + RSV1 + text: a reserved bit no extension was negotiated for.
    let end = send_raw(&server, &raw_frame(0xC1, b"{}")).await;
    assert_eq!(end.code, Some(CloseCode::ProtocolError.code()), "{end:?}");
    assert_eq!(end.bye, Some(ErrorCode::Malformed));
    // A continuation frame with nothing to continue.
    let end = send_raw(&server, &raw_frame(0x80, b"x")).await;
    assert_eq!(end.code, Some(CloseCode::ProtocolError.code()), "{end:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_message_that_is_not_utf8_is_closed_with_1007() {
    let server = TestServer::start().await;
    let end = send_raw(&server, &raw_frame(0x81, &[b'{', 0xFF, 0xFE, b'}'])).await;
    assert_eq!(end.code, Some(CloseCode::InvalidPayload.code()), "{end:?}");
    assert_eq!(end.bye, Some(ErrorCode::Malformed));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_enum_value_is_invalid_over_websocket_as_over_http() {
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Values", "Olga", json!({})).await;

    let r = server.join_raw(&cafe.code, "Ann", "moon").await;
    assert_eq!(r.status().as_u16(), 422);
    let body: cafe_shared::api::ApiErrorBody = r.json().await.expect("error body");
    assert_eq!(body.code, ErrorCode::Invalid);

    let mut c = server.connect().await;
    c.hello(&cafe.organiser_token, None).await.expect("hello");
    c.send_text(
        r#"{"type":"command","id":"moon-1","command":{"type":"set_location","location":"moon"}}"#,
    )
    .await;
    let reject = loop {
        match c.next().await.expect("an answer") {
            ServerFrame::Reject { id, code, .. } => break (id, code),
            _ => continue,
        }
    };
    assert_eq!(reject, ("moon-1".to_owned(), ErrorCode::Invalid));
    // An unknown command type is still a shape error.
    c.send_text(r#"{"type":"command","id":"fly-1","command":{"type":"fly"}}"#)
        .await;
    let reject = loop {
        match c.next().await.expect("an answer") {
            ServerFrame::Reject { id, code, .. } => break (id, code),
            _ => continue,
        }
    };
    assert_eq!(reject, ("fly-1".to_owned(), ErrorCode::Malformed));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_waits_for_the_clients_close_frame_before_dropping_the_socket() {
    // A client that says `bye` gets close 1000; answering it completes the handshake, and
    // the connection then ends cleanly (no reset).
    let server = TestServer::start().await;
    let mut ws = connect(&server).await;
    ws.send(Message::text(r#"{"type":"bye"}"#))
        .await
        .expect("bye");
    let end = read_to_end(&mut ws).await;
    assert_eq!(end.code, Some(CloseCode::Normal.code()));
    // tungstenite answered the close; the server now closes TCP: the stream just ends.
    let after = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("the socket ends");
    assert!(
        matches!(
            after,
            None | Some(Err(tungstenite::Error::ConnectionClosed))
        ),
        "{after:?}"
    );
    server.stop().await;
}

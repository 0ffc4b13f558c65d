//! Names cannot impersonate people, seen over real sockets: beside the organiser Olga, an
//! "Olga" with an invisible character is `invalid` (422) and a look-alike is `conflict` (409),
//! at the HTTP join and at a rename over the WebSocket.

use cafe_shared::api::ApiErrorBody;
use cafe_shared::{Command, ErrorCode, Location};
use cafe_tests::fixture::ORGANISER;
use cafe_tests::TestServer;
use serde_json::json;

async fn refused(server: &TestServer, code: &str, name: &str) -> (u16, ApiErrorBody) {
    let r = server.join_raw(code, name, "room").await;
    let status = r.status().as_u16();
    (status, r.json().await.expect("an error body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_olga_cannot_join_or_be_renamed_into() {
    let server = TestServer::start().await;
    let (cafe, _org) = server.open_cafe("Names", json!({})).await;
    assert_eq!(ORGANISER, "Olga");

    let (status, body) = refused(&server, &cafe.code, "Olga\u{200B}").await;
    assert_eq!((status, body.code), (422, ErrorCode::Invalid));
    assert!(body.message.contains("U+200B"), "{}", body.message);

    // Displays as "Facilitator".
    let (status, body) = refused(&server, &cafe.code, "\u{202E}rotatilicaF").await;
    assert_eq!((status, body.code), (422, ErrorCode::Invalid));

    // A Cyrillic О.
    let (status, body) = refused(&server, &cafe.code, "\u{041E}lga").await;
    assert_eq!((status, body.code), (409, ErrorCode::Conflict));
    assert_eq!(body.message, "someone here is already called “Olga”");

    // Arabic names are names; renaming into a look-alike of the organiser is refused.
    let (_, mut fatima) = server.arrive(&cafe.code, "فاطمة", Location::Remote).await;
    let refusal = fatima
        .command(Command::Rename {
            name: "OLGA".into(),
        })
        .await
        .expect_err("a look-alike rename is refused");
    assert_eq!(refusal.0, ErrorCode::Conflict);
    fatima
        .ok(Command::Rename {
            name: "فاطمة الزهراء".into(),
        })
        .await;
    server.stop().await;
}

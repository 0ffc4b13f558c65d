//! The browser app's files: a browser that accepts gzip gets the precompressed sibling with
//! `Content-Encoding: gzip` (the right bytes, the original type), anything else the plain file.

use cafe_tests::TestServer;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn dist(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../client-wasm/dist")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The system's gzip, so the test needs no compression crate.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).expect("feeds gzip"));
    let out = child.wait_with_output().expect("gzip output");
    writer.join().expect("writer");
    assert!(out.status.success(), "gzip -d failed: not gzip data");
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasm_is_sent_gzip_encoded_only_to_clients_that_accept_it() {
    let server = TestServer::start().await;
    let plain = dist("cafe_client_bg.wasm");

    let r = server
        .http
        .get(server.url("/cafe_client_bg.wasm"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-encoding"], "gzip");
    assert_eq!(h["content-type"], "application/wasm");
    assert_eq!(h["vary"], "Accept-Encoding");
    let body = r.bytes().await.expect("body");
    assert!(body.len() < plain.len(), "compressed is smaller");
    assert!(gunzip(&body) == plain, "gunzips to the plain file");

    let r = server.get("/cafe_client_bg.wasm").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.headers()["content-type"], "application/wasm");
    let body = r.bytes().await.expect("body");
    assert!(body.as_ref() == plain.as_slice(), "plain bytes");

    // q=0 refuses gzip.
    let r = server
        .http
        .get(server.url("/cafe_client.js"))
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await
        .expect("GET");
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.bytes().await.expect("body").as_ref() == dist("cafe_client.js").as_slice());

    // index.html has no sibling and is sent as it is either way.
    let r = server
        .http
        .get(server.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET");
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.bytes().await.expect("body").as_ref() == dist("index.html").as_slice());
}

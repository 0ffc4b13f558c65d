//! The browser app's files: one build per kind of screen (`Bundle`: the participant app for
//! `/`, `/j/{code}` and `/c/{id}`, then create, console, projector and scribe), each page
//! address answered with its build's shell, content-named files kept by browsers for a year,
//! shells revalidated, and each file sent brotli- or gzip-encoded by `Accept-Encoding` (the
//! right bytes, the original type), or plain.

use cafe_shared::screens::Bundle;
use cafe_tests::TestServer;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The browser's own reader of language tables.
#[path = "../../client-wasm/src/i18n/split.rs"]
mod split;

fn dist(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../client-wasm/dist")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files of one bundle, from the manifest the build writes.
fn bundle(name: &str) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&dist("manifest.json")).expect("manifest.json");
    manifest["bundles"][name]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().expect("name").to_owned())
        .collect()
}

fn wasm_of(name: &str) -> String {
    bundle(name)
        .into_iter()
        .find(|f| f.ends_with(".wasm"))
        .expect("a wasm file")
}

/// The system's gzip or brotli, so the test needs no compression crate.
fn decode(tool: &str, bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} runs: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).expect("feeds the decoder"));
    let out = child.wait_with_output().expect("decoder output");
    writer.join().expect("writer");
    assert!(out.status.success(), "{tool} -d failed: not {tool} data");
    out.stdout
}

async fn get(server: &TestServer, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = server.http.get(server.url(path));
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    let r = req.send().await.expect("GET");
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasm_is_sent_brotli_or_gzip_only_to_clients_that_accept_it() {
    let server = TestServer::start().await;
    let wasm = wasm_of("participant");
    let path = format!("/{wasm}");
    let plain = dist(&wasm);

    for (accept, coding, tool) in [
        ("gzip, deflate, br, zstd", "br", "brotli"),
        ("gzip, deflate", "gzip", "gzip"),
        ("br;q=0, gzip", "gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.9", "gzip", "gzip"),
    ] {
        let r = get(&server, &path, Some(accept)).await;
        let h = r.headers().clone();
        assert_eq!(h["content-encoding"], coding, "{accept}");
        assert_eq!(h["content-type"], "application/wasm");
        assert_eq!(h["vary"], "Accept-Encoding");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        let body = r.bytes().await.expect("body");
        assert!(body.len() < plain.len(), "compressed is smaller");
        assert!(decode(tool, &body) == plain, "decodes to the plain file");
    }

    let r = get(&server, &path, None).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(
        r.bytes().await.expect("body").as_ref() == plain.as_slice(),
        "plain bytes"
    );

    // q=0 refuses both.
    let js = bundle("console")
        .into_iter()
        .find(|f| f.ends_with(".js"))
        .expect("js");
    let r = get(&server, &format!("/{js}"), Some("gzip;q=0, br;q=0")).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.bytes().await.expect("body").as_ref() == dist(&js).as_slice());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_page_gets_the_build_with_its_screen_and_shells_are_revalidated() {
    let server = TestServer::start().await;
    // Every build is in the bundle, each shell loads its own wasm and no other build's.
    let wasm: Vec<(Bundle, String)> = Bundle::ALL
        .iter()
        .map(|b| (*b, wasm_of(b.as_str())))
        .collect();
    for (b, own) in &wasm {
        let shell = String::from_utf8_lossy(&dist(&b.shell())).into_owned();
        for (other, file) in &wasm {
            assert_eq!(
                shell.contains(file.as_str()),
                other == b,
                "{} names {file}",
                b.shell()
            );
        }
        assert!(shell.contains(own.as_str()));
    }
    let wasm_for = |b: Bundle| {
        wasm.iter()
            .find(|(k, _)| *k == b)
            .map(|(_, f)| f.clone())
            .expect("build")
    };

    // A join link is the participant shell with the café's join form rendered into it
    // (tests/server_join_page.rs); an unknown code still loads the participant app.
    let r = server
        .http
        .get(server.url("/j/K7MQ2P"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 404);
    let page = r.text().await.expect("page");
    assert!(
        page.contains(&wasm_for(Bundle::Participant)),
        "/j/… loads the participant app"
    );
    assert!(!page.contains(&wasm_for(Bundle::Console)));
    for (path, want) in [
        ("/", Bundle::Participant),
        ("/c/some-cafe", Bundle::Participant),
        ("/nowhere/at/all", Bundle::Participant),
        ("/new", Bundle::Create),
        ("/c/some-cafe/console", Bundle::Console),
        ("/c/some-cafe/projector", Bundle::Projector),
        ("/c/some-cafe/scribe", Bundle::Scribe),
    ] {
        let r = get(&server, path, Some("gzip, deflate, br")).await;
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(r.headers()["content-type"], "text/html", "{path}");
        let coding = r.headers()["content-encoding"]
            .to_str()
            .expect("coding")
            .to_owned();
        let body = decode(
            if coding == "br" { "brotli" } else { "gzip" },
            &r.bytes().await.expect("body"),
        );
        assert!(body == dist(&want.shell()), "{path} gets {}", want.shell());
    }
    // The service worker and the manifest are revalidated too; a language table is kept briefly.
    for path in ["/sw.js", "/manifest.json"] {
        assert_eq!(
            get(&server, path, None).await.headers()["cache-control"],
            "no-cache"
        );
    }
    assert_eq!(
        get(&server, "/i18n/ar.txt", None).await.headers()["cache-control"],
        "public, max-age=300"
    );
    // The service worker knows every build's files, read from the manifest.
    let sw = String::from_utf8_lossy(&dist("sw.js")).into_owned();
    for b in Bundle::ALL {
        for f in bundle(b.as_str()) {
            assert!(sw.contains(f.as_str()), "sw.js names {f}");
        }
    }
    server.stop().await;
}

/// The build writes each fetched language in the browser's table format; read back with the
/// browser's reader, each holds exactly what its JSON (the file people edit) says.
#[test]
fn fetched_languages_read_back_as_the_tables_people_edit() {
    for lang in ["ar", "es", "fr", "ru", "zh"] {
        let text = String::from_utf8(dist(&format!("i18n/{lang}.txt"))).expect("UTF-8");
        let served: std::collections::BTreeMap<&str, &str> =
            split::pairs(text.leak()).into_iter().collect();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../client-wasm/static/i18n/{lang}.json"));
        let edited: std::collections::BTreeMap<String, String> =
            serde_json::from_slice(&std::fs::read(&path).expect("json")).expect("a table");
        assert_eq!(served.len(), edited.len(), "{lang}");
        for (k, v) in &edited {
            assert_eq!(served.get(k.as_str()), Some(&v.as_str()), "{lang} {k}");
        }
    }
}

//! Issue 10's server findings, each tried the way an attacker would, over real sockets:
//! parallel join-code guessing, one IP filling a café, slowloris and silent connections,
//! forwarded addresses, weak or exposed secrets, readiness, the metrics endpoint and the
//! security headers. No assertion is about speed; `GUARD` only keeps a broken server from
//! hanging a test.

use cafe_server::config::Tuning;
use cafe_tests::TestServer;
use futures_util::{stream, StreamExt};
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const GUARD: Duration = Duration::from_secs(60);

/// Sends one HTTP/1.1 request on its own connection and returns the status.
async fn raw_status(mut s: TcpStream, request: String) -> u16 {
    s.write_all(request.as_bytes()).await.expect("request sent");
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD, s.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .expect("read");
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: cafe\r\nConnection: close\r\n\r\n")
}

fn post_json(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: cafe\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Finding 4: the miss limit was checked before the (slow) look-up and counted after, so
/// 300 guesses sent at once on 300 open connections were nearly all answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_join_code_guesses_cannot_overrun_the_limit() {
    let server = TestServer::start().await;
    let limit = Tuning::default().join_failures as usize;
    let mut conns = Vec::new();
    for _ in 0..300 {
        conns.push(TcpStream::connect(server.addr).await.expect("connects"));
    }
    // Codes that parse (so each one reaches the store) but name no café.
    let alphabet = cafe_shared::JoinCode::ALPHABET;
    let requests: Vec<String> = (0..300)
        .map(|i| {
            let code: String = (0..6)
                .map(|k| alphabet[(i * 7 + k * 13) % alphabet.len()] as char)
                .collect();
            if i % 2 == 0 {
                get(&format!("/api/cafes/by-code/{code}"))
            } else {
                post_json(
                    &format!("/api/cafes/by-code/{code}/join"),
                    r#"{"name":"Eve","location":"room"}"#,
                )
            }
        })
        .collect();
    let answers = futures_util::future::join_all(
        conns
            .into_iter()
            .zip(requests)
            .map(|(c, r)| tokio::spawn(raw_status(c, r))),
    )
    .await;
    let statuses: Vec<u16> = answers.into_iter().map(|a| a.expect("task")).collect();
    let answered = statuses.iter().filter(|s| **s == 404).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(answered + refused, 300, "{statuses:?}");
    assert_eq!(answered, limit, "exactly the limit of misses is answered");
    server.stop().await;
}

/// Finding 2: 10,000 joins from one IP filled the café. Now one IP gets the documented
/// burst plus the sustained rate; everyone else can still join.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_joins_from_one_ip_admit_at_most_the_documented_number() {
    let t = Tuning::default();
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.tuning.join_burst = t.join_burst;
    })
    .await;
    let cafe = server.create_cafe("Flood", "Olga", json!({})).await;
    let url = server.url(&format!("/api/cafes/by-code/{}/join", cafe.code));
    let started = Instant::now();
    let results: Vec<(u16, Option<String>)> = stream::iter(0..10_000)
        .map(|i| {
            let (http, url) = (server.http.clone(), url.clone());
            async move {
                let r = http
                    .post(url)
                    .header("x-forwarded-for", "198.51.100.7")
                    .json(&json!({"name": format!("Bot {i}"), "location": "remote"}))
                    .send()
                    .await
                    .expect("join request");
                let retry = r
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (r.status().as_u16(), retry)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let admitted = results.iter().filter(|r| r.0 == 200).count();
    let refused: Vec<_> = results.iter().filter(|r| r.0 == 429).collect();
    assert_eq!(admitted + refused.len(), 10_000);
    let bound = t.join_burst + (elapsed * t.joins_per_sec).ceil();
    assert!(
        admitted as f64 <= bound,
        "{admitted} admitted; at most {bound} (burst plus rate over the flood)"
    );
    assert!(
        admitted as f64 >= t.join_burst,
        "a whole room behind one NAT gets in"
    );
    assert!(
        refused.iter().all(|r| r
            .1
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().unwrap() >= 1)),
        "every 429 says when to retry"
    );
    // A real person from another address still gets in.
    let r = server
        .http
        .post(&url)
        .header("x-forwarded-for", "203.0.113.20")
        .json(&json!({"name": "Real Person", "location": "room"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    server.stop().await;
}

/// Finding 3: a connection that trickles its headers, and one that sends nothing, are
/// closed by the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_silent_connections_are_closed() {
    let server = TestServer::start_with(|c| {
        c.tuning.header_read_timeout = Duration::from_secs(1);
        c.tuning.body_read_timeout = Duration::from_secs(1);
    })
    .await;

    let silent = TcpStream::connect(server.addr).await.unwrap();
    let (mut read, _keep) = silent.into_split();
    let mut buf = [0u8; 256];
    let ended = tokio::time::timeout(GUARD, async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "a silent connection is closed");

    let slow = TcpStream::connect(server.addr).await.unwrap();
    let (mut read, mut write) = slow.into_split();
    write
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: cafe\r\n")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        // A header line every 100 ms, for ever (until the server hangs up).
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"X-Slow: 1\r\n").await.is_err() {
                return;
            }
        }
    });
    let ended = tokio::time::timeout(GUARD, async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    trickle.abort();
    assert!(
        ended.is_ok(),
        "a connection trickling its headers is closed"
    );

    // A body that stops arriving is answered 408 and the connection closed.
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(b"POST /api/cafes HTTP/1.1\r\nHost: cafe\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"title\"")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD, stalled.read_to_end(&mut answer))
        .await
        .expect("a stalled body is ended")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // The server raised its soft open-file limit to the hard one (the process is shared).
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    assert_eq!(soft, hard, "every descriptor the system allows is usable");

    // Normal requests are unaffected.
    assert_eq!(server.get("/healthz").await.status().as_u16(), 200);
    server.stop().await;
}

/// Finding 7: behind a trusted proxy each forwarded client has its own budget; an
/// untrusted peer's `X-Forwarded-For` is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_key_on_the_forwarded_client_only_behind_trusted_proxies() {
    let miss = |server: &TestServer, xff: &str| {
        let r = server
            .http
            .get(server.url("/api/cafes/by-code/222222"))
            .header("x-forwarded-for", xff.to_owned())
            .send();
        async move { r.await.expect("request").status().as_u16() }
    };
    let behind = TestServer::start_with(|c| {
        c.tuning.join_failures = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for _ in 0..3 {
        assert_eq!(miss(&behind, "203.0.113.1").await, 404);
    }
    assert_eq!(miss(&behind, "203.0.113.1").await, 429);
    // Another client behind the same proxy; a spoofed left-hand hop does not help A.
    assert_eq!(miss(&behind, "203.0.113.2").await, 404);
    assert_eq!(miss(&behind, "10.9.9.9, 203.0.113.1").await, 429);
    behind.stop().await;

    let direct = TestServer::start_with(|c| c.tuning.join_failures = 3).await;
    for i in 0..3 {
        assert_eq!(miss(&direct, &format!("203.0.113.{i}")).await, 404);
    }
    assert_eq!(
        miss(&direct, "203.0.113.99").await,
        429,
        "an untrusted peer cannot pick a fresh address"
    );
    direct.stop().await;
}

fn start_error(tune: impl FnOnce(&mut cafe_server::Config), dir: &std::path::Path) -> String {
    let mut config = TestServer::config(dir);
    tune(&mut config);
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    match rt.block_on(cafe_server::start(config)) {
        Ok(_) => panic!("the server started"),
        Err(e) => e.to_string(),
    }
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("file exists")
        .permissions()
        .mode()
        & 0o777
}

/// Finding 8: weak secrets are refused with a clear message, an empty secret file is
/// replaced, and the data directory's files are private.
#[cfg(unix)]
#[test]
fn weak_secrets_are_refused_and_data_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let e = start_error(|c| c.jwt_secret = Some("x".into()), dir.path());
    assert!(e.contains("at least 32"), "{e}");

    let secret = dir.path().join("jwt_secret");
    std::fs::write(&secret, "abc").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = start_error(|c| c.jwt_secret = None, dir.path());
    assert!(e.contains("group or others"), "{e}");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let e = start_error(|c| c.jwt_secret = None, dir.path());
    assert!(e.contains("at least 32"), "{e}");

    // An empty file gets a fresh secret instead of "File exists (os error 17)".
    std::fs::write(&secret, "").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let server = TestServer::start_in(dir.path(), |c| c.jwt_secret = None).await;
        server.create_cafe("Private", "Olga", json!({})).await;
        server.stop().await;
    });
    assert!(std::fs::read_to_string(&secret).unwrap().trim().len() >= 32);
    for file in ["jwt_secret", "cafe.db"] {
        assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
    }
    // A database left world-readable by an older version is narrowed.
    let db = dir.path().join("cafe.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    rt.block_on(async {
        let server = TestServer::start_in(dir.path(), |c| c.jwt_secret = None).await;
        server.stop().await;
    });
    assert_eq!(mode(&db), 0o600);
    let fresh = tempfile::tempdir().unwrap();
    let nested = fresh.path().join("data");
    rt.block_on(async {
        TestServer::start_in(&nested, |_| {}).await.stop().await;
    });
    assert_eq!(
        mode(&nested),
        0o700,
        "a data directory the server creates is private"
    );
}

/// Finding 8: `/healthz` is liveness; `/readyz` fails when the store stops taking writes,
/// whether its own probe fails or the cafés' appends do (a full disk can let a small
/// rewrite through while every append fails).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_reports_a_store_that_cannot_write() {
    use sqlx::Connection;
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Disk", "Olga", json!({})).await;
    assert_eq!(server.get("/readyz").await.status().as_u16(), 200);
    // Another connection to the same database makes writes fail, as a full disk would.
    let url = format!("sqlite://{}", server.dir().join("cafe.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let exec = |sql: &'static str| sqlx::query(sql);

    // The cafés' appends fail; the probe alone would still pass.
    exec(
        "CREATE TRIGGER fail_events BEFORE INSERT ON events \
          BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let r = server.join_raw(&cafe.code, "Pia", "room").await;
    assert!(r.status().is_server_error(), "{}", r.status());
    assert_eq!(server.get("/readyz").await.status().as_u16(), 503);
    assert_eq!(
        server.get("/healthz").await.status().as_u16(),
        200,
        "still alive"
    );
    exec("DROP TRIGGER fail_events")
        .execute(&mut db)
        .await
        .unwrap();
    let joined = server.join_raw(&cafe.code, "Pia", "room").await;
    assert_eq!(joined.status().as_u16(), 200, "writes work again");
    assert_eq!(server.get("/readyz").await.status().as_u16(), 200);

    // The probe's own write fails.
    for sql in [
        "CREATE TRIGGER fail_health BEFORE INSERT ON health \
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
        "CREATE TRIGGER fail_health_update BEFORE UPDATE ON health \
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
    ] {
        exec(sql).execute(&mut db).await.unwrap();
    }
    assert_eq!(server.get("/readyz").await.status().as_u16(), 503);
    for sql in [
        "DROP TRIGGER fail_health",
        "DROP TRIGGER fail_health_update",
    ] {
        exec(sql).execute(&mut db).await.unwrap();
    }
    assert_eq!(server.get("/readyz").await.status().as_u16(), 200);
    db.close().await.unwrap();
    server.stop().await;
}

/// Finding 8: `/metrics` can require a token, or live on another address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_a_token_or_move_to_another_address() {
    let server = TestServer::start_with(|c| c.metrics_token = Some("scrape-me".into())).await;
    assert_eq!(server.get("/metrics").await.status().as_u16(), 401);
    let r = server.get_with_token("/metrics", "wrong").await;
    assert_eq!(r.status().as_u16(), 401);
    let r = server.get_with_token("/metrics", "scrape-me").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("# EOF"));
    server.stop().await;

    let server = TestServer::start_with(|c| {
        c.metrics_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await;
    assert_eq!(server.get("/metrics").await.status().as_u16(), 404);
    let m = server.handle().metrics_addr().expect("a metrics address");
    let r = server
        .http
        .get(format!("http://{m}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    server.stop().await;
}

/// Finding 5: every response carries the security headers; the CSP lets the WASM app run
/// (`wasm-unsafe-eval`, never `unsafe-eval`) and forbids framing unless allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_security_headers() {
    let server = TestServer::start().await;
    for path in ["/", "/j/ABCDEF", "/api/nothing", "/healthz", "/style.css"] {
        let r = server.get(path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(!csp.contains(" 'unsafe-eval'"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
    // The inline module script of the shells is allowed by its hash.
    let html = server.get("/").await.text().await.unwrap();
    if html.contains("<script type=\"module\">") {
        let csp = cafe_server::headers::content_security_policy(&TestServer::config(server.dir()));
        assert!(csp.contains("'sha256-"), "{csp}");
    }
    server.stop().await;

    let server =
        TestServer::start_with(|c| c.allow_framing = Some("https://screens.example.org".into()))
            .await;
    let r = server.get("/").await;
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'self' https://screens.example.org"),
        "{csp}"
    );
    assert!(r.headers().get("x-frame-options").is_none());
    server.stop().await;
}

/// docs/protocol.md states the new limits with the server's own numbers.
#[test]
fn the_protocol_doc_states_the_join_and_timeout_limits() {
    const DOC: &str = include_str!("../../docs/protocol.md");
    let t = Tuning::default();
    for said in [
        format!(
            "| joins per IP into one café | {} at once, then {} per second |",
            t.join_burst, t.joins_per_sec
        ),
        format!(
            "| HTTP request headers (and keep-alive idle) | {} s |",
            t.header_read_timeout.as_secs()
        ),
        format!(
            "| HTTP request body, silence between chunks | {} s |",
            t.body_read_timeout.as_secs()
        ),
        "`Retry-After`".to_owned(),
        "`GET /readyz`".to_owned(),
    ] {
        assert!(DOC.contains(&said), "docs/protocol.md does not say: {said}");
    }
}

//! GET /j/{code} (issue 14): the app's page with a plain HTML join form for the café, in the
//! phone's language, escaped; 404 for an unknown code; counted by the join-code throttle;
//! its inline script allowed by the Content-Security-Policy and nothing else.

use base64::Engine;
use cafe_shared::{Command, Phase};
use cafe_tests::TestServer;
use serde_json::json;
use sha2::Digest;

async fn page(
    server: &TestServer,
    path: &str,
    lang: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = server.http.get(server.url(path));
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    let r = req.send().await.expect("GET");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.expect("body"))
}

/// The inline scripts' CSP sources, computed like a browser does.
fn inline_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        rest = &rest[i..];
        let open_end = rest.find('>').expect("tag ends");
        let tag = &rest[..open_end];
        let body = &rest[open_end + 1..];
        let close = body.find("</script>").expect("script closes");
        if !tag.contains("src=") {
            let digest = sha2::Sha256::digest(&body.as_bytes()[..close]);
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body[close..];
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_link_answers_with_the_cafes_join_form() {
    let server = TestServer::start().await;
    let cafe = server
        .create_cafe(
            "Island water & futures",
            "Mele",
            json!({"description": "How do our islands keep fresh water?"}),
        )
        .await;
    let (status, headers, html) = page(
        &server,
        &format!("/j/{}", cafe.code),
        Some("en-NZ,en;q=0.9"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    assert_eq!(headers["vary"], "Accept-Language");
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    assert!(
        html.contains("Island water &amp; futures"),
        "escaped title: {html}"
    );
    assert!(html.contains("How do our islands keep fresh water?"));
    assert!(html.contains(&cafe.code_display), "the code is shown");
    for id in [
        "prejoin-form",
        "prejoin-name",
        "prejoin-join",
        "prejoin-error",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
    }
    assert!(html.contains("value=\"room\" checked") && html.contains("value=\"remote\""));
    assert!(html.contains("Your name") && html.contains("Join"));
    assert!(
        html.contains("class=\"prejoin-loading\""),
        "shows it is loading"
    );
    // The app's page is still all there, the form first in its body.
    let form_at = html.find("id=\"prejoin\"").expect("form");
    assert!(html.find("<body").expect("body") < form_at);
    assert!(form_at < html.find("</body>").expect("body ends"));
    assert!(
        html.contains("/participant-"),
        "the participant app's script"
    );
    // Every inline script, the form's and the app's, is allowed by hash.
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let hashes = inline_hashes(&html);
    assert_eq!(hashes.len(), 2, "the app's and the form's");
    for h in hashes {
        assert!(csp.contains(&h), "{h} in {csp}");
    }
    assert!(!csp.contains("'unsafe-inline' ") && !csp.contains("script-src 'unsafe-inline'"));
    // The stylesheet rides inline (no render-blocking request), allowed by its hash only.
    assert!(!html.contains("rel=\"stylesheet\""), "{html}");
    let css_at = html.find("<style>").expect("inline style") + "<style>".len();
    let css_len = html[css_at..].find("</style>").expect("style ends");
    let css_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(
            &html.as_bytes()[css_at..css_at + css_len]
        ))
    );
    assert!(
        csp.contains(&format!("style-src 'self' {css_hash}")),
        "{csp}"
    );
    // Compressed for browsers that accept it.
    let r = server
        .http
        .get(server.url(&format!("/j/{}", cafe.code)))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    // The code is read the way people type it.
    let lower = cafe.code.to_lowercase();
    let (status, _, _) = page(&server, &format!("/j/{lower}"), None).await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_speaks_the_phones_language_and_arabic_is_right_to_left() {
    let server = TestServer::start().await;
    let cafe = server.create_cafe("مستقبل المياه", "Mele", json!({})).await;
    let path = format!("/j/{}", cafe.code);
    let (status, _, html) = page(&server, &path, Some("ar-TO,ar;q=0.9,en;q=0.5")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("مستقبل المياه"));
    assert!(html.contains("مقهى الابتكار"), "the app's name in Arabic");
    assert!(!html.contains(">Your name<"), "no English label");
    let (_, _, fr) = page(&server, &path, Some("to, fr-FR;q=0.8, en;q=0.5")).await;
    assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\">"));
    let (_, _, none) = page(&server, &path, Some("sm, to")).await;
    assert!(none.contains("<html lang=\"en\" dir=\"ltr\">"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_title_is_escaped() {
    let server = TestServer::start().await;
    let cafe = server
        .create_cafe(
            "<script>alert(1)</script>",
            "Mele",
            json!({"description": "\"><img src=x onerror=alert(2)>"}),
        )
        .await;
    let (status, headers, html) = page(&server, &format!("/j/{}", cafe.code), None).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{html}"
    );
    // The <title> too, and still only the two known inline scripts.
    assert!(html.contains("<title>&lt;script&gt;"), "{html}");
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for h in inline_hashes(&html) {
        assert!(csp.contains(&h));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_code_is_a_404_page_and_counts_against_the_guess_limit() {
    let server = TestServer::start_with(|c| c.tuning.join_failures = 3).await;
    let cafe = server.create_cafe("Reef", "Mele", json!({})).await;
    let (status, _, html) = page(&server, "/j/ZZZ-ZZZ", None).await;
    assert_eq!(status, 404);
    assert!(html.contains("No café has this code"), "{html}");
    assert!(!html.contains("id=\"prejoin-name\""), "nothing to join");
    assert!(
        html.contains("/participant-"),
        "the participant app still loads (to type another code)"
    );
    // A found code does not count; misses do, shared with the API's look-up.
    for _ in 0..5 {
        assert_eq!(
            page(&server, &format!("/j/{}", cafe.code), None).await.0,
            200
        );
    }
    assert_eq!(page(&server, "/j/not-a-code", None).await.0, 404);
    assert_eq!(
        server
            .get("/api/cafes/by-code/YYYYYY")
            .await
            .status()
            .as_u16(),
        404
    );
    let (status, headers, html) = page(&server, "/j/QQQ-QQQ", None).await;
    assert_eq!(status, 429, "the fourth miss");
    assert!(headers.contains_key("retry-after"));
    assert!(html.contains("Too many attempts"), "{html}");
    assert_eq!(
        server
            .get("/api/cafes/by-code/WWWWWW")
            .await
            .status()
            .as_u16(),
        429
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_cafe_says_so_instead_of_offering_the_form() {
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Reef", "Mele", json!({})).await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.expect("hello");
    org.ok(Command::SetPhase {
        phase: Phase::Closed,
    })
    .await;
    let (status, _, html) = page(&server, &format!("/j/{}", cafe.code), Some("es")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Este café está cerrado"), "{html}");
    assert!(!html.contains("id=\"prejoin-name\""));
    server.stop().await;
}

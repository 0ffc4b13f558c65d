//! Access links (issue 13, item 1) over real sockets and HTTP: the organiser's link opens
//! the café on another device; co-facilitator and table-host links; a revoked link's
//! sessions close at once with 4001 and it opens nothing any more; a rotated link's old
//! secret and the tokens it gave stop while the café goes on; only hashes are stored, and
//! none of it reaches a participant, an export or another café.

use cafe_shared::api::{LinkCreated, LinksResponse, RedeemResponse};
use cafe_shared::{Command, Event, Location, Role};
use cafe_tests::{key_of, Client, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn redeemed(server: &TestServer, cafe: &str, key: &str) -> RedeemResponse {
    let r = server.redeem(cafe, key).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("redeem body")
}

async fn list(server: &TestServer, cafe: &str, token: &str) -> reqwest::Response {
    server
        .get_with_token(&format!("/api/cafes/{cafe}/links"), token)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_open_the_cafe_anywhere_and_revoking_or_rotating_ends_what_they_opened() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Smart islands", json!({})).await;
    let id = cafe.cafe_id.clone();
    let organiser_link = cafe.organiser_link.clone().expect("an organiser link");
    assert!(
        organiser_link.starts_with(&format!("{}/c/{id}/key#1.", server.base)),
        "{organiser_link}"
    );

    // Another laptop: the organiser link alone gives the organiser's place.
    let other = redeemed(&server, &id, &key_of(&organiser_link)).await;
    assert_eq!(other.role, Role::Organiser);
    assert_eq!(Some(other.person_id), cafe.person_id);
    assert!(other.projector_token.is_some());
    let mut laptop = server.enter(&other.token).await;
    assert_eq!(laptop.you, cafe.person_id.map(cafe_shared::PersonId));
    laptop.ok(Command::SetJoining { open: true }).await;

    // Wrong secrets and unknown links open nothing.
    let wrong = format!("1.{}", "A".repeat(43));
    assert_eq!(
        server.redeem(&id, &wrong).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.redeem(&id, "9.x").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.redeem(&id, "nonsense").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A co-facilitator and a table host, each by their own link.
    let aisha_link = server
        .invite(&id, &cafe.organiser_token, "facilitator", "Aisha")
        .await;
    let tevita_link = server
        .invite(&id, &cafe.organiser_token, "host", "Tevita")
        .await;
    assert!(aisha_link.qr_svg.starts_with("<?xml") || aisha_link.qr_svg.contains("<svg"));
    assert!(
        aisha_link.token.is_none(),
        "only a rotation of one's own link gives a token"
    );
    let aisha = redeemed(&server, &id, &key_of(&aisha_link.url)).await;
    assert_eq!(
        (aisha.role, aisha.name.as_str()),
        (Role::Facilitator, "Aisha")
    );
    let tevita = redeemed(&server, &id, &key_of(&tevita_link.url)).await;
    assert_eq!(tevita.role, Role::Host);
    assert!(tevita.projector_token.is_none());
    let mut aisha_ws = server.enter(&aisha.token).await;
    aisha_ws.ok(Command::SetJoining { open: true }).await;
    let mut tevita_ws = server.enter(&tevita.token).await;

    // Only the organiser manages links; a participant never hears of them.
    let (_p, mut pita) = server.arrive(&cafe.code, "Pita", Location::Remote).await;
    assert_eq!(
        list(&server, &id, &aisha.token).await.status(),
        StatusCode::FORBIDDEN
    );
    let links: LinksResponse = list(&server, &id, &cafe.organiser_token)
        .await
        .json()
        .await
        .expect("links");
    let names: Vec<(&str, Role, bool)> = links
        .links
        .iter()
        .map(|l| (l.name.as_str(), l.role, l.yours))
        .collect();
    assert_eq!(
        names,
        [
            ("Olga", Role::Organiser, true),
            ("Aisha", Role::Facilitator, false),
            ("Tevita", Role::Host, false)
        ]
    );
    let raw = serde_json::to_string(&links).expect("json");
    assert!(
        !raw.contains(&key_of(&aisha_link.url)[2..]),
        "no secret in the list"
    );

    // Revoking Tevita's link closes his socket at once (4001) and the link opens nothing.
    let r = server
        .delete_with_token(
            &format!("/api/cafes/{id}/links/{}", tevita_link.link),
            &cafe.organiser_token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let closed = tevita_ws.until_closed().await;
    assert_eq!(closed.code, Some(4001), "{closed:?}");
    assert_eq!(
        server.redeem(&id, &key_of(&tevita_link.url)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mut again = server.connect().await;
    let refused = again.hello(&tevita.token, None).await.expect_err("refused");
    assert_eq!(refused.code, Some(4001));
    // The organiser cannot revoke their own link, a facilitator cannot revoke any.
    let own = server
        .delete_with_token(&format!("/api/cafes/{id}/links/1"), &cafe.organiser_token)
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Rotating Aisha's link: her open socket closes (4001), her old token and old link
    // stop, the new link works; the café and its people are untouched.
    let rotated: LinkCreated = server
        .post_with_token(
            &format!("/api/cafes/{id}/links/{}/rotate", aisha_link.link),
            &cafe.organiser_token,
        )
        .await
        .json()
        .await
        .expect("rotated");
    assert_eq!(aisha_ws.until_closed().await.code, Some(4001));
    let mut stale = server.connect().await;
    assert_eq!(
        stale
            .hello(&aisha.token, None)
            .await
            .expect_err("stale")
            .code,
        Some(4001)
    );
    assert_eq!(
        server.redeem(&id, &key_of(&aisha_link.url)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The projector token that came with her old link no longer opens a screen.
    let old_screen = aisha
        .projector_token
        .clone()
        .expect("a facilitator's projector");
    let mut screen = server.connect().await;
    assert_eq!(
        screen
            .hello(&old_screen, None)
            .await
            .expect_err("the projector of a replaced link")
            .code,
        Some(4001)
    );
    let aisha2 = redeemed(&server, &id, &key_of(&rotated.url)).await;
    let new_screen = aisha2.projector_token.clone().expect("a new projector");
    server.enter(&new_screen).await;
    assert_eq!(aisha2.person_id, aisha.person_id);
    let mut aisha_ws = server.enter(&aisha2.token).await;
    aisha_ws.ok(Command::SetJoining { open: true }).await;
    // Exports refuse the stale token, take the new one.
    let stale_export = server
        .get_with_token(&format!("/api/cafes/{id}/export.json"), &aisha.token)
        .await;
    assert_eq!(stale_export.status(), StatusCode::UNAUTHORIZED);
    let export: Value = server
        .get_with_token(&format!("/api/cafes/{id}/export.json"), &aisha2.token)
        .await
        .json()
        .await
        .expect("export");
    let text = export.to_string();
    assert!(!text.contains("link_issued") && !text.contains("link_rotated"));
    assert!(!text.contains(&links_hash_probe(&server, &id).await));

    // The organiser rotates their own link: they get a new token that keeps them in, and
    // the laptop that used the old link is out.
    let mine: LinkCreated = server
        .post_with_token(
            &format!("/api/cafes/{id}/links/1/rotate"),
            &cafe.organiser_token,
        )
        .await
        .json()
        .await
        .expect("rotated own");
    let token = mine.token.clone().expect("a new token for the caller");
    assert_eq!(laptop.until_closed().await.code, Some(4001));
    assert_eq!(org.until_closed().await.code, Some(4001));
    let mut org = server.enter(&token).await;
    org.ok(Command::SetJoining { open: true }).await;

    // The participant never received a link event, and still sees Aisha as a facilitator.
    pita.barrier().await;
    assert!(
        !pita.raw.iter().any(|f| f.contains("link_")),
        "no link frame"
    );
    assert!(pita.state().links.is_empty());
    assert!(!pita.frames.iter().any(|f| matches!(
        f,
        cafe_shared::ServerFrame::Event {
            event: Event::LinkIssued { .. },
            ..
        }
    )));

    // A restart keeps it all: the new links work, the old ones do not.
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    assert_eq!(
        server.redeem(&id, &key_of(&rotated.url)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        server.redeem(&id, &key_of(&organiser_link)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mut c = Client::connect(&server.ws_url()).await;
    assert_eq!(
        c.hello(&cafe.organiser_token, None)
            .await
            .expect_err("old")
            .code,
        Some(4001)
    );
    server.enter(&token).await;
    drop(tmp);
}

/// The SHA-256 the store keeps for the organiser's first link (read from the SQLite file):
/// a hash, never the secret, and never in an export.
async fn links_hash_probe(server: &TestServer, id: &str) -> String {
    let url = format!("sqlite://{}", server.dir().join("cafe.db").display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("open the store");
    let (body,): (String,) = sqlx::query_as(
        "SELECT body FROM events WHERE cafe_id = ? AND body LIKE '%link_issued%' ORDER BY seq",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .expect("the organiser's link is stored");
    let v: Value = serde_json::from_str(&body).expect("event json");
    let hash = v["link"]["hash"]
        .as_str()
        .expect("a hash is stored")
        .to_owned();
    assert_eq!(hash.len(), 64);
    hash
}

/// An export of a café whose links did things a join cannot (a host invited after joining
/// closed, a co-facilitator revoked after the café closed) imports: the export leaves the
/// links out, and the import asks the rules for the invitation and the removal instead.
/// Link numbers that are not numbers are a JSON 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cafe_whose_links_outlived_joining_exports_and_imports_whole() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("E-waste", json!({})).await;
    let id = cafe.cafe_id.clone();
    let (_, _ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    org.ok(Command::SetJoining { open: false }).await;
    let host = server
        .invite(&id, &cafe.organiser_token, "host", "Sione")
        .await;
    let fac = server
        .invite(&id, &cafe.organiser_token, "facilitator", "Lani")
        .await;
    org.ok(Command::SetPhase {
        phase: cafe_shared::Phase::Closed,
    })
    .await;
    let r = server
        .delete_with_token(
            &format!("/api/cafes/{id}/links/{}", fac.link),
            &cafe.organiser_token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for bad in ["x", "99999999999", "-1"] {
        let r = server
            .delete_with_token(
                &format!("/api/cafes/{id}/links/{bad}"),
                &cafe.organiser_token,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
        let body: Value = r.json().await.expect("a JSON error");
        assert_eq!(body["code"], "not_found");
    }

    let export: Value = server
        .get_with_token(
            &format!("/api/cafes/{id}/export.json"),
            &cafe.organiser_token,
        )
        .await
        .json()
        .await
        .expect("export");
    let r = server.import(&export).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let copy: cafe_shared::api::CafeCreatedResponse = r.json().await.expect("created");
    assert!(
        copy.organiser_link.is_some(),
        "an imported café gets its own organiser link"
    );
    let mut c = server.enter(&copy.organiser_token).await;
    let people = &c.state().people;
    let by_name = |n: &str| people.values().find(|p| p.name == n).expect(n);
    assert_eq!(by_name("Sione").role, Role::Host);
    assert!(!by_name("Sione").removed);
    assert!(by_name("Lani").removed);
    assert!(c.state().links.is_empty(), "no link reaches a client");
    // The original's links open nothing in the copy.
    assert_eq!(
        server
            .redeem(&copy.cafe_id, &key_of(&host.url))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    c.barrier().await;
}

//! Issue 10, finding 2, the facilitator's half: closing a café to new people and removing
//! many at once, over real HTTP and WebSockets, across a restart; and the `--metrics-addr`
//! listener's timeouts (finding 3 for the second port).

use cafe_shared::api::{ApiErrorBody, PublicInfo};
use cafe_shared::{Command, ErrorCode, Event, Location, PersonId};
use cafe_tests::TestServer;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Hang guard only; nothing here asserts on time.
const GUARD: Duration = Duration::from_secs(60);

async fn lookup(server: &TestServer, code: &str) -> PublicInfo {
    let r = server.get(&format!("/api/cafes/by-code/{code}")).await;
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("public info")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_joining_refuses_newcomers_but_not_people_who_joined() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Door", json!({})).await;
    let (pia, mut pia_ws) = server.arrive(&cafe.code, "Pia", Location::Room).await;
    let (fab, _) = server.arrive(&cafe.code, "Fab", Location::Remote).await;
    // A co-facilitator closes the door.
    org.ok(Command::SetRole {
        person: PersonId(fab.person_id),
        role: cafe_shared::Role::Facilitator,
    })
    .await;
    let mut fab_ws = server.enter(&fab.token).await;
    assert!(lookup(&server, &cafe.code).await.joining_open);
    fab_ws.ok(Command::SetJoining { open: false }).await;
    // Everyone connected hears it.
    pia_ws
        .wait_for_event(|e| matches!(e, Event::JoiningSet { open: false }))
        .await;
    org.barrier().await;
    assert!(!org.state().joining_open);

    // The join page learns it before anyone types a name …
    assert!(!lookup(&server, &cafe.code).await.joining_open);
    // … and a join is refused with the typed error and its documented status.
    let r = server.join_raw(&cafe.code, "Mallory", "room").await;
    assert_eq!(r.status().as_u16(), 403);
    let body: ApiErrorBody = r.json().await.expect("an error body");
    assert_eq!(body.code, ErrorCode::JoiningClosed);

    // A participant refused a command is not the point: participants may not reopen.
    assert_eq!(
        pia_ws.refused(Command::SetJoining { open: true }).await,
        ErrorCode::Forbidden
    );
    // Who joined before comes back with their token and acts.
    pia_ws.drop_connection().await;
    let mut pia_again = server.enter(&pia.token).await;
    // A new command id: the server remembers each person's ids, and this client's counter
    // starts again where the last connection's did.
    assert!(pia_again
        .command_with_id("raise-after-reconnect", Command::RaiseHand)
        .await
        .is_ok());
    assert_eq!(pia_again.state().hands, vec![PersonId(pia.person_id)]);

    // The state survives a restart: still closed, and Pia still gets in.
    drop(pia_again);
    drop(org);
    drop(fab_ws);
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    assert!(!lookup(&server, &cafe.code).await.joining_open);
    let r = server.join_raw(&cafe.code, "Mallory", "room").await;
    assert_eq!(r.status().as_u16(), 403);
    let mut pia_ws = server.enter(&pia.token).await;
    assert!(!pia_ws.state().joining_open);
    assert_eq!(pia_ws.state().hands, vec![PersonId(pia.person_id)]);
    // The organiser reopens; the next person gets in.
    let mut org = server.enter(&cafe.organiser_token).await;
    assert!(org
        .command_with_id("reopen", Command::SetJoining { open: true })
        .await
        .is_ok());
    pia_ws
        .wait_for_event(|e| matches!(e, Event::JoiningSet { open: true }))
        .await;
    server.join(&cafe.code, "Nadia", Location::Room).await;
    server.stop().await;
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_removal_closes_the_removed_sockets_for_good() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Flood", json!({})).await;
    let (stay, mut stay_ws) = server.arrive(&cafe.code, "Stay", Location::Room).await;
    let mut bots = Vec::new();
    for i in 0..4 {
        bots.push(
            server
                .arrive(&cafe.code, &format!("Bot {i}"), Location::Remote)
                .await,
        );
    }
    org.barrier().await;
    // What the console does: everyone who joined at or after the first bot.
    let since = org.state().people[&PersonId(bots[0].0.person_id)].joined_at;
    let recent: Vec<PersonId> = org
        .state()
        .active_people()
        .filter(|p| p.joined_at >= since && p.id != PersonId(stay.person_id))
        .map(|p| p.id)
        .collect();
    assert_eq!(recent.len(), 4);
    // One that may not be removed (here: the organiser, who asks) refuses the whole list,
    // with the single removal's code.
    let mut with_org = recent.clone();
    with_org.push(org.you.expect("the organiser is a person"));
    assert_eq!(
        org.refused(Command::RemovePeople { people: with_org })
            .await,
        ErrorCode::Invalid
    );
    for (joined, _) in &bots {
        assert!(!org.state().people[&PersonId(joined.person_id)].removed);
    }
    org.ok(Command::RemovePeople {
        people: recent.clone(),
    })
    .await;
    // Every removed socket is closed with 4001, and its token no longer opens the café.
    for (joined, ws) in &mut bots {
        let closed = ws.until_closed().await;
        assert_eq!(closed.code, Some(4001), "{}", joined.person_id);
        let mut again = server.connect().await;
        assert_eq!(
            again.hello(&joined.token, None).await.unwrap_err().code,
            Some(4001)
        );
    }
    // The one who stays saw them go and is still connected.
    for p in &recent {
        let p = *p;
        stay_ws
            .wait_for_event(move |e| matches!(e, Event::PersonRemoved { person } if *person == p))
            .await;
    }
    stay_ws.ok(Command::RaiseHand).await;
    // After a restart they are still removed.
    drop(org);
    drop(stay_ws);
    drop(bots);
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    let org = server.enter(&cafe.organiser_token).await;
    for p in &recent {
        assert!(org.state().people[p].removed);
    }
    assert!(!org.state().people[&PersonId(stay.person_id)].removed);
    server.stop().await;
    drop(tmp);
}

/// Reads until the server closes the connection.
async fn until_hung_up(mut read: tokio::net::tcp::OwnedReadHalf) -> bool {
    let mut buf = [0u8; 256];
    tokio::time::timeout(GUARD, async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// `axum::serve`, which the metrics port used, sets no header-read timer: a silent or
/// trickling connection there was held for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_port_drops_silent_and_slow_connections() {
    let server = TestServer::start_with(|c| {
        c.metrics_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        c.tuning.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let m = server.handle().metrics_addr().expect("a metrics address");

    let silent = TcpStream::connect(m).await.expect("connects");
    let (read, _keep) = silent.into_split();
    assert!(until_hung_up(read).await, "a silent connection is closed");

    let slow = TcpStream::connect(m).await.expect("connects");
    let (read, mut write) = slow.into_split();
    write
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: cafe\r\n")
        .await
        .expect("writes");
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"X-Slow: 1\r\n").await.is_err() {
                return;
            }
        }
    });
    let hung_up = until_hung_up(read).await;
    trickle.abort();
    assert!(hung_up, "a connection trickling its headers is closed");

    // A scraper is served as before.
    let text = server
        .http
        .get(format!("http://{m}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(text.contains("cafe_connections"), "{text}");
    server.stop().await;
}

//! # cafe-tests: helpers for end-to-end tests and tools
//!
//! - [`TestServer`]: a real server started in-process on port 0 with its SQLite database in
//!   a temporary directory, plus HTTP helpers (create, look up, join).
//! - [`Client`]: a real WebSocket client (tokio-tungstenite): connect, `hello`, send a
//!   command and await its ack, collect frames and keep the café state the way a browser
//!   does (snapshot, then events applied with `CafeState::apply`).
//! - [`BinaryServer`]: the real `cafe-server` binary as a child process, for kill -9 and
//!   SIGTERM tests.
//! - [`fixture`]: the set-up tests share (a café with its organiser connected, people who
//!   joined and connected, a fresh-snapshot comparison).
//!
//! No helper asserts on timing; `RECV_GUARD` only keeps a broken test from hanging forever.

use cafe_server::{Config, ServerHandle};
use cafe_shared::{
    CafeState, ClientFrame, Command, ErrorCode, Event, Location, PersonId, ResumePoint,
    ServerFrame, PROTOCOL_VERSION,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub mod fixture;

/// Upper bound for waiting on one frame: a hang guard, not a performance assertion.
pub const RECV_GUARD: Duration = Duration::from_secs(30);

/// The JWT secret test servers use, so tests can forge expired or foreign tokens.
pub const TEST_SECRET: &str = "test-secret-for-cafe-tests-only-0123456789";

/// What creating (or importing) a café answers.
pub type CreatedCafe = cafe_shared::api::CafeCreatedResponse;
/// What joining a café answers.
pub type Joined = cafe_shared::api::JoinResponse;

/// HTTP helpers shared by the in-process and the binary server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.base.replacen("http://", "ws://", 1))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a café; `extra` fields are merged into the request body.
    pub async fn create_cafe(&self, title: &str, organiser: &str, extra: Value) -> CreatedCafe {
        let mut body = json!({"title": title, "organiser_name": organiser});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self
            .http
            .post(self.url("/api/cafes"))
            .json(&body)
            .send()
            .await
            .expect("create request");
        assert_eq!(r.status().as_u16(), 201, "create café");
        r.json().await.expect("create response")
    }

    pub async fn join_raw(&self, code: &str, name: &str, location: &str) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/api/cafes/by-code/{code}/join")))
            .json(&json!({"name": name, "location": location}))
            .send()
            .await
            .expect("join request")
    }

    pub async fn join(&self, code: &str, name: &str, location: Location) -> Joined {
        let r = self.join_raw(code, name, location.as_str()).await;
        assert_eq!(r.status().as_u16(), 200, "join");
        r.json().await.expect("join response")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("GET request")
    }

    /// The value of a Prometheus counter or gauge (0 when absent).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                let (k, v) = l.split_once(' ')?;
                (k == name).then(|| v.trim().parse().ok()).flatten()
            })
            .unwrap_or(0.0)
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET request")
    }

    pub async fn connect(&self) -> Client {
        Client::connect(&self.ws_url()).await
    }

    pub async fn post_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("POST request")
    }

    pub async fn delete_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE request")
    }

    /// Posts an export (`export.json`) to make a new café of it.
    pub async fn import(&self, doc: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/cafes/import"))
            .header("content-type", "application/json")
            .body(doc.to_string())
            .send()
            .await
            .expect("import request")
    }

    /// Redeems an access link's key (what follows `#` in its URL).
    pub async fn redeem(&self, cafe: &str, key: &str) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/api/cafes/{cafe}/links/redeem")))
            .json(&json!({ "key": key }))
            .send()
            .await
            .expect("redeem request")
    }

    /// Invites a co-facilitator or host by an access link, as the organiser `token`.
    pub async fn invite(
        &self,
        cafe: &str,
        token: &str,
        role: &str,
        name: &str,
    ) -> cafe_shared::api::LinkCreated {
        let r = self
            .http
            .post(self.url(&format!("/api/cafes/{cafe}/links")))
            .bearer_auth(token)
            .json(&json!({ "role": role, "name": name }))
            .send()
            .await
            .expect("invite request");
        assert_eq!(r.status().as_u16(), 201, "invite");
        r.json().await.expect("invite response")
    }
}

/// The key (after `#`) of an access link's URL.
pub fn key_of(url: &str) -> String {
    url.split_once('#')
        .expect("the secret is in the fragment")
        .1
        .to_owned()
}

/// A server running inside the test process.
pub struct TestServer {
    pub api: Api,
    pub addr: SocketAddr,
    handle: Option<ServerHandle>,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub fn config(dir: &Path) -> Config {
        let mut c = Config::for_tests(dir);
        c.jwt_secret = Some(TEST_SECRET.to_owned());
        // Tests play whole halls from 127.0.0.1; server_hardening.rs tests the per-IP join
        // limit with its production default.
        c.tuning.join_burst = 1e9;
        c
    }

    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with a fresh temporary data directory; `tune` may change the config.
    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let mut s = Self::start_in(&dir, tune).await;
        s._tmp = Some(tmp);
        s
    }

    /// Starts on an existing data directory (for restarts). The directory is not removed.
    pub async fn start_in(dir: &Path, tune: impl FnOnce(&mut Config)) -> Self {
        let mut config = Self::config(dir);
        tune(&mut config);
        let handle = cafe_server::start(config).await.expect("server starts");
        let addr = handle.addr();
        Self {
            api: Api::new(addr),
            addr,
            handle: Some(handle),
            dir: dir.to_path_buf(),
            _tmp: None,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn handle(&self) -> &ServerHandle {
        self.handle.as_ref().expect("running")
    }

    /// Graceful shutdown; keeps the temporary directory alive for a restart.
    pub async fn stop(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
        (self.dir.clone(), self._tmp.take())
    }
}

impl std::ops::Deref for TestServer {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// Parses a server frame exactly as a browser would (`serde_json` into `ServerFrame`).
pub fn parse_server_frame(text: &str) -> Result<ServerFrame, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// How a connection ended, as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: Option<u16>,
    pub reason: String,
    /// The `bye` frame that preceded the close, if any.
    pub bye: Option<(ErrorCode, bool)>,
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket client that keeps its café state like a browser.
pub struct Client {
    ws: Ws,
    /// Every text frame received, in order (for privacy checks on the raw bytes).
    pub raw: Vec<String>,
    pub frames: Vec<ServerFrame>,
    pub state: Option<CafeState>,
    pub epoch: u64,
    pub seq: u64,
    pub you: Option<PersonId>,
    pub welcome: Option<ServerFrame>,
    /// Events received (seq, event), in order.
    pub events: Vec<(u64, Event)>,
    pub snapshots: usize,
    pub closed: Option<Closed>,
    last_bye: Option<(ErrorCode, bool)>,
    next_id: u64,
}

/// What a command got.
pub type Outcome = Result<u64, (ErrorCode, String)>;

impl Client {
    pub async fn connect(url: &str) -> Self {
        Self::connect_with(url, None)
            .await
            .expect("WebSocket connects")
    }

    /// Connects, optionally with an `Origin` header. Errors are the handshake's (e.g. 403).
    pub async fn connect_with(
        url: &str,
        origin: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut req = url.into_client_request()?;
        if let Some(o) = origin {
            if let Ok(v) = o.parse() {
                req.headers_mut().insert("origin", v);
            }
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        Ok(Self::from_ws(ws))
    }

    /// Connects with a tiny socket receive buffer, to play a phone that cannot keep up.
    pub async fn connect_slow(url: &str, addr: SocketAddr) -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(2048).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("TCP connects");
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
            .await
            .expect("WebSocket handshake");
        Self::from_ws(ws)
    }

    fn from_ws(ws: Ws) -> Self {
        Self {
            ws,
            raw: Vec::new(),
            frames: Vec::new(),
            state: None,
            epoch: 0,
            seq: 0,
            you: None,
            welcome: None,
            events: Vec::new(),
            snapshots: 0,
            closed: None,
            last_bye: None,
            next_id: 0,
        }
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        let _ = self.ws.send(Message::text(text.into())).await;
    }

    pub async fn send_message(&mut self, m: Message) {
        let _ = self.ws.send(m).await;
    }

    pub async fn send_frame(&mut self, f: &ClientFrame) {
        let text = serde_json::to_string(f).expect("frame encodes");
        self.send_text(text).await;
    }

    /// The next frame (applied to the state), or `None` once the connection closed.
    pub async fn next(&mut self) -> Option<ServerFrame> {
        loop {
            if self.closed.is_some() {
                return None;
            }
            let msg = match tokio::time::timeout(RECV_GUARD, self.ws.next()).await {
                Ok(m) => m,
                Err(_) => panic!("no frame within {RECV_GUARD:?} (hang guard)"),
            };
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let text = t.to_string();
                    let frame = parse_server_frame(&text)
                        .unwrap_or_else(|e| panic!("bad server frame {text}: {e}"));
                    self.raw.push(text);
                    self.observe(&frame);
                    self.frames.push(frame.clone());
                    return Some(frame);
                }
                Some(Ok(Message::Close(c))) => {
                    self.closed = Some(Closed {
                        code: c.as_ref().map(|c| u16::from(c.code)),
                        reason: c.map(|c| c.reason.to_string()).unwrap_or_default(),
                        bye: self.last_bye,
                    });
                    return None;
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => {
                    self.closed = Some(Closed {
                        code: None,
                        reason: String::new(),
                        bye: self.last_bye,
                    });
                    return None;
                }
            }
        }
    }

    fn observe(&mut self, frame: &ServerFrame) {
        match frame {
            ServerFrame::Welcome {
                epoch, seq, you, ..
            } => {
                self.epoch = *epoch;
                self.seq = *seq;
                self.you = *you;
                self.welcome = Some(frame.clone());
            }
            ServerFrame::Snapshot {
                epoch, seq, state, ..
            } => {
                self.epoch = *epoch;
                self.seq = *seq;
                self.state = Some((**state).clone());
                self.snapshots += 1;
            }
            ServerFrame::Event { seq, event, .. } => {
                if let Some(s) = self.state.as_mut() {
                    s.apply(event);
                }
                self.seq = *seq;
                self.events.push((*seq, event.clone()));
            }
            ServerFrame::Bye {
                code, reconnect, ..
            } => self.last_bye = Some((*code, *reconnect)),
            _ => {}
        }
    }

    /// Reads until the connection closes and returns how.
    pub async fn until_closed(&mut self) -> Closed {
        while self.next().await.is_some() {}
        self.closed.clone().expect("closed")
    }

    /// Sends `hello` (resuming from `resume` if given) and reads everything up to the
    /// welcome's catch-up: a ping is sent right after, and its pong arrives after the
    /// catch-up frames. Returns the welcome, or `Err` with how the server closed.
    pub async fn hello(
        &mut self,
        token: &str,
        resume: Option<ResumePoint>,
    ) -> Result<ServerFrame, Closed> {
        self.hello_protocol(token, resume, PROTOCOL_VERSION).await
    }

    pub async fn hello_protocol(
        &mut self,
        token: &str,
        resume: Option<ResumePoint>,
        protocol: u32,
    ) -> Result<ServerFrame, Closed> {
        self.send_frame(&ClientFrame::Hello {
            protocol,
            token: token.to_owned(),
            resume,
        })
        .await;
        self.welcome = None;
        loop {
            match self.next().await {
                Some(ServerFrame::Welcome { .. }) => break,
                Some(_) => continue,
                None => return Err(self.closed.clone().expect("closed")),
            }
        }
        self.ping().await;
        Ok(self.welcome.clone().expect("welcome"))
    }

    /// Round trip through the connection's reader and writer.
    pub async fn ping(&mut self) {
        let t = 4242;
        self.send_frame(&ClientFrame::Ping { t }).await;
        loop {
            match self.next().await {
                Some(ServerFrame::Pong { t: got, .. }) if got == t => return,
                Some(_) => continue,
                None => panic!("closed while waiting for pong: {:?}", self.closed),
            }
        }
    }

    pub fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("c{}-{}", self.next_id, std::process::id())
    }

    /// Sends a command with a fresh id and waits for its ack or reject.
    pub async fn command(&mut self, command: Command) -> Outcome {
        let id = self.fresh_id();
        self.command_with_id(&id, command).await
    }

    pub async fn command_with_id(&mut self, id: &str, command: Command) -> Outcome {
        self.send_frame(&ClientFrame::Command {
            id: id.to_owned(),
            command,
        })
        .await;
        self.await_outcome(id).await
    }

    pub async fn await_outcome(&mut self, id: &str) -> Outcome {
        loop {
            match self.next().await {
                Some(ServerFrame::Ack { id: got, seq }) if got == id => return Ok(seq),
                Some(ServerFrame::Reject {
                    id: got,
                    code,
                    message,
                }) if got == id => return Err((code, message)),
                Some(_) => continue,
                None => panic!("closed while waiting for {id}: {:?}", self.closed),
            }
        }
    }

    /// Sends a command that must be accepted; returns its ack seq.
    pub async fn ok(&mut self, command: Command) -> u64 {
        let c = command.clone();
        match self.command(command).await {
            Ok(seq) => seq,
            Err(e) => panic!("{c:?} was refused: {e:?}"),
        }
    }

    /// Sends a command that must be refused; returns the code.
    pub async fn refused(&mut self, command: Command) -> ErrorCode {
        let c = command.clone();
        match self.command(command).await {
            Ok(seq) => panic!("{c:?} was accepted at {seq}"),
            Err((code, _)) => code,
        }
    }

    /// Waits until every event the actor produced before now has reached this client: a
    /// no-op command goes through the café's queue behind them, so its answer comes after.
    pub async fn barrier(&mut self) {
        let name = self
            .you
            .and_then(|p| {
                self.state
                    .as_ref()
                    .and_then(|s| s.people.get(&p))
                    .map(|x| x.name.clone())
            })
            .expect("barrier needs a person with a state");
        let _ = self.command(Command::Rename { name }).await;
    }

    pub fn state(&self) -> &CafeState {
        self.state.as_ref().expect("client has a state")
    }

    /// Sends `hello` without waiting for anything (for clients that will not read yet).
    pub async fn send_hello(&mut self, token: &str) {
        self.send_frame(&ClientFrame::Hello {
            protocol: PROTOCOL_VERSION,
            token: token.to_owned(),
            resume: None,
        })
        .await;
    }

    /// Reads until an event matching `pred` arrives (or panics if the connection closes).
    pub async fn wait_for_event(&mut self, pred: impl Fn(&Event) -> bool) -> Event {
        loop {
            match self.next().await {
                Some(ServerFrame::Event { event, .. }) if pred(&event) => return event,
                Some(_) => continue,
                None => panic!("closed while waiting for an event: {:?}", self.closed),
            }
        }
    }

    pub fn resume_point(&self) -> ResumePoint {
        ResumePoint {
            epoch: self.epoch,
            seq: self.seq,
        }
    }

    /// Closes the socket without a goodbye (like a phone losing its network).
    pub async fn drop_connection(self) {
        drop(self.ws);
    }

    pub async fn bye(&mut self) {
        self.send_frame(&ClientFrame::Bye).await;
    }

    pub fn close_code(c: &Closed) -> Option<CloseCode> {
        c.code.map(CloseCode::from)
    }
}

/// Location of the `cafe-server` binary next to this test executable
/// (`target/<profile>/cafe-server`), built on demand when missing.
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir")
        .to_path_buf();
    let bin = profile_dir.join(format!("cafe-server{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.args(["build", "-p", "cafe-server", "--bin", "cafe-server"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo build runs");
        assert!(status.success(), "building cafe-server failed");
    }
    bin
}

/// The real binary as a child process.
pub struct BinaryServer {
    pub child: tokio::process::Child,
    pub api: Api,
    pub addr: SocketAddr,
}

impl BinaryServer {
    /// Starts `cafe-server` on 127.0.0.1:0 with `dir` as data directory and waits for its
    /// "listening on" line.
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[]).await
    }

    pub fn pid(&self) -> i32 {
        self.child
            .id()
            .and_then(|p| i32::try_from(p).ok())
            .expect("pid")
    }

    /// Sends a signal (e.g. `libc::SIGTERM`) to the process.
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        let rc = unsafe { libc::kill(self.pid(), sig) };
        assert_eq!(rc, 0, "kill({sig}) failed");
    }

    /// SIGSTOP, then wait until every thread of the server is stopped: kill(2) returns
    /// before a thread running on another core has taken the stop, and a command sent in
    /// that window is still handled (and rightly acknowledged) by the "paused" server.
    pub async fn pause(&self) {
        self.signal(libc::SIGSTOP);
        let tasks = format!("/proc/{}/task", self.pid());
        loop {
            let stopped = std::fs::read_dir(&tasks)
                .expect("the server's threads")
                .filter_map(Result::ok)
                .all(|t| {
                    // The state is the field after the parenthesised command name.
                    std::fs::read_to_string(t.path().join("stat")).is_ok_and(|s| {
                        s.rsplit_once(')')
                            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['T', 't']))
                    })
                });
            if stopped {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL, then wait for the process to be gone.
    pub async fn kill9(mut self) {
        self.child.kill().await.expect("kill -9");
    }

    pub async fn wait(mut self) -> std::process::ExitStatus {
        tokio::time::timeout(RECV_GUARD, self.child.wait())
            .await
            .expect("server exits (hang guard)")
            .expect("wait")
    }
}

impl std::ops::Deref for BinaryServer {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A state as a fresh snapshot would show it: the id counter is hidden in views (applying
/// events advances it locally), so it is not compared.
pub fn comparable(s: &CafeState) -> CafeState {
    let mut s = s.clone();
    s.next_id = 0;
    s
}

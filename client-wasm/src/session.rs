//! The live connection to one café: WebSocket, hello/resume, outbox flushing, ping for the
//! clock offset, reconnect with backoff, and persistence to localStorage.
//!
//! All the decisions live in [`ClientState`]; this file only moves bytes and timers.

use crate::client_state::{backoff_ms, ClientState, ConnStatus, Next};
use crate::outbox::Outbox;
use crate::storage;
use cafe_shared::{
    next_reaction_at, take_reaction, AfterClose, ClientFrame, CloseCode, Command, Millis, Reaction,
    PROTOCOL_VERSION,
};
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// A dead link often looks open; without a pong for this long we close and reconnect.
const SILENCE_LIMIT_MS: f64 = 40_000.0;
const PING_EVERY_MS: u32 = 15_000;
const PERSIST_EVERY_MS: u32 = 2_000;

fn who_key(state_key: &str) -> String {
    format!("{state_key}.who")
}

/// The event frames received since the stored snapshot, one per line.
fn log_key(state_key: &str) -> String {
    format!("{state_key}.log")
}

pub fn now_ms() -> Millis {
    js_sys::Date::now() as Millis
}

/// Command ids: time plus randomness, unique per browser, ≤ 64 characters.
pub fn new_command_id() -> String {
    let r = (js_sys::Math::random() * 1e12) as u64;
    format!("c{:x}-{:x}", now_ms(), r)
}

struct Socket {
    ws: WebSocket,
    // The closures must live as long as the socket may call them.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

pub struct Session {
    token: String,
    state_key: String,
    outbox_key: String,
    pub client: RefCell<ClientState>,
    socket: RefCell<Option<Socket>>,
    welcomed: Cell<bool>,
    attempt: Cell<u32>,
    stopped: Cell<bool>,
    last_rx: Cell<f64>,
    saved_outbox: RefCell<String>,
    retry: RefCell<Option<Timeout>>,
    /// Re-renders when the reaction rule allows the next one (the buttons come back).
    reaction_wake: RefCell<Option<Timeout>>,
    timers: RefCell<Vec<Interval>>,
    listeners: RefCell<Vec<EventListener>>,
    on_change: Box<dyn Fn()>,
    on_leave: Box<dyn Fn(String)>,
}

/// A session is one live connection: two are equal only if they are the same one. This lets
/// it travel in a Yew context (`ContextProvider<Rc<Session>>`), which needs `PartialEq`.
impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Session {
    /// `scope` keeps the projector's stored stream apart from a person's in one browser.
    pub fn start(
        cafe: &str,
        scope: &str,
        token: String,
        on_change: impl Fn() + 'static,
        on_leave: impl Fn(String) + 'static,
    ) -> Rc<Session> {
        let state_key = storage::state_key(cafe, scope);
        let outbox_key = storage::outbox_key(cafe, scope);
        let outbox_json = storage::get_raw(&outbox_key).unwrap_or_default();
        let outbox = Outbox::from_json(&outbox_json);
        let client = ClientState::restore(
            storage::get_raw(&state_key).as_deref(),
            storage::get_raw(&log_key(&state_key)).as_deref(),
            storage::get_raw(&who_key(&state_key)).as_deref(),
            outbox,
        );
        let s = Rc::new(Session {
            token,
            state_key,
            outbox_key,
            client: RefCell::new(client),
            socket: RefCell::new(None),
            welcomed: Cell::new(false),
            attempt: Cell::new(0),
            stopped: Cell::new(false),
            last_rx: Cell::new(js_sys::Date::now()),
            saved_outbox: RefCell::new(outbox_json),
            retry: RefCell::new(None),
            reaction_wake: RefCell::new(None),
            timers: RefCell::new(Vec::new()),
            listeners: RefCell::new(Vec::new()),
            on_change: Box::new(on_change),
            on_leave: Box::new(on_leave),
        });
        s.install_timers();
        s.connect();
        s
    }

    fn install_timers(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let ping = Interval::new(PING_EVERY_MS, move || {
            if let Some(s) = weak.upgrade() {
                s.heartbeat();
            }
        });
        let weak = Rc::downgrade(self);
        let persist = Interval::new(PERSIST_EVERY_MS, move || {
            if let Some(s) = weak.upgrade() {
                s.persist_state();
                // Settles acked entries whose event never comes (skipped for our audience).
                let changed = {
                    let mut c = s.client.borrow_mut();
                    let before = c.outbox.entries().len();
                    let seq = c.seq;
                    c.outbox.settle(seq, now_ms());
                    before != c.outbox.entries().len()
                };
                if changed {
                    s.persist_outbox();
                    (s.on_change)();
                }
            }
        });
        self.timers.borrow_mut().extend([ping, persist]);

        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let offline = EventListener::new(&window, "offline", move |_| {
            if let Some(s) = weak.upgrade() {
                // Phones often keep a dead socket "open"; drop it so the status is honest
                // and the outbox is re-sent on a fresh connection.
                s.drop_socket();
                s.client.borrow_mut().status = ConnStatus::Offline;
                (s.on_change)();
            }
        });
        let weak = Rc::downgrade(self);
        let online = EventListener::new(&window, "online", move |_| {
            if let Some(s) = weak.upgrade() {
                s.attempt.set(0);
                s.retry.borrow_mut().take();
                if s.socket.borrow().is_none() {
                    s.connect();
                }
            }
        });
        // A phone coming back from the pocket or a tunnel: the radio may never have said
        // `offline`, so the backoff could still be waiting up to its cap. Try at once, or
        // check a socket that may have died while the page was asleep.
        let weak = Rc::downgrade(self);
        let visible = web_sys::window().and_then(|w| w.document()).map(|doc| {
            EventListener::new(&doc, "visibilitychange", move |_| {
                let Some(s) = weak.upgrade() else { return };
                let hidden = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.hidden());
                if hidden {
                    return;
                }
                if s.socket.borrow().is_none() {
                    s.attempt.set(0);
                    s.connect();
                } else {
                    s.heartbeat();
                }
            })
        });
        let weak: Weak<Session> = Rc::downgrade(self);
        let hide = EventListener::new(&window, "pagehide", move |_| {
            if let Some(s) = weak.upgrade() {
                s.persist_state();
            }
        });
        self.listeners
            .borrow_mut()
            .extend([offline, online, hide].into_iter().chain(visible));
    }

    fn ws_url() -> Option<String> {
        let loc = web_sys::window()?.location();
        let proto = if loc.protocol().ok()? == "https:" {
            "wss:"
        } else {
            "ws:"
        };
        Some(format!("{proto}//{}/ws", loc.host().ok()?))
    }

    fn connect(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        self.retry.borrow_mut().take();
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        if !online {
            self.client.borrow_mut().status = ConnStatus::Offline;
            (self.on_change)();
            return;
        }
        let Some(url) = Self::ws_url() else {
            return;
        };
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(_) => {
                self.schedule_reconnect();
                return;
            }
        };
        let weak = Rc::downgrade(self);
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = weak.upgrade() {
                s.last_rx.set(js_sys::Date::now());
                let resume = s.client.borrow().resume_point();
                s.send_frame(&ClientFrame::Hello {
                    protocol: PROTOCOL_VERSION,
                    token: s.token.clone(),
                    resume,
                });
            }
        });
        let weak = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let (Some(s), Some(text)) = (weak.upgrade(), e.data().as_string()) {
                s.on_text(&text);
            }
        });
        let weak = Rc::downgrade(self);
        let ws_for_close = ws.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            if let Some(s) = weak.upgrade() {
                s.on_close(&ws_for_close, e.code());
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.drop_socket();
        *self.socket.borrow_mut() = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
        let mut c = self.client.borrow_mut();
        if c.status != ConnStatus::Connecting || self.attempt.get() > 0 {
            c.status = ConnStatus::Reconnecting;
        }
        drop(c);
        (self.on_change)();
    }

    fn on_text(self: &Rc<Self>, text: &str) {
        self.last_rx.set(js_sys::Date::now());
        let floor = self.client.borrow().floor;
        let Some((next, welcome)) = self.client.borrow_mut().handle_text(text, now_ms()) else {
            // A frame from a newer server we cannot read; skipping it beats crashing.
            return;
        };
        // Called to speak just now: felt as well as seen (the board shows the banner).
        let called = self.client.borrow().floor;
        if called.is_some() && called != floor {
            crate::components::floor_banner::vibrate();
        }
        match next {
            Next::Nothing => {}
            Next::FlushOutbox => {
                self.welcomed.set(true);
                self.attempt.set(0);
                self.send_frame(&ClientFrame::Ping { t: now_ms() });
                let pending: Vec<String> = self
                    .client
                    .borrow()
                    .outbox
                    .unanswered()
                    .map(Outbox::frame)
                    .collect();
                for text in &pending {
                    self.send_text(text);
                }
            }
            Next::Leave { message } => {
                self.leave(message);
                return;
            }
        }
        if !welcome {
            self.persist_outbox();
        }
        (self.on_change)();
    }

    fn on_close(self: &Rc<Self>, ws: &WebSocket, code: u16) {
        let is_current = self.socket.borrow().as_ref().is_some_and(|s| &s.ws == ws);
        if !is_current || self.stopped.get() {
            return;
        }
        self.socket.borrow_mut().take();
        self.welcomed.set(false);
        let bye = self.client.borrow().bye_reconnect;
        // The shared close-code table says what each code means for a client.
        match CloseCode::policy(code, bye) {
            AfterClose::Reconnect => self.schedule_reconnect(),
            AfterClose::Leave => {
                let msg = self
                    .client
                    .borrow()
                    .notice
                    .as_ref()
                    .map(|n| n.message.clone())
                    .unwrap_or_default();
                self.leave(msg);
                return;
            }
            AfterClose::Stop => {
                self.client.borrow_mut().status = ConnStatus::Offline;
            }
        }
        (self.on_change)();
    }

    fn leave(&self, message: String) {
        self.stop();
        (self.on_leave)(message);
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        {
            let mut c = self.client.borrow_mut();
            let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
            c.status = if online {
                ConnStatus::Reconnecting
            } else {
                ConnStatus::Offline
            };
        }
        let weak = Rc::downgrade(self);
        let delay = backoff_ms(attempt, js_sys::Math::random());
        *self.retry.borrow_mut() = Some(Timeout::new(delay, move || {
            if let Some(s) = weak.upgrade() {
                s.connect();
            }
        }));
    }

    fn heartbeat(self: &Rc<Self>) {
        if self.socket.borrow().is_none() {
            return;
        }
        if js_sys::Date::now() - self.last_rx.get() > SILENCE_LIMIT_MS {
            self.drop_socket();
            self.schedule_reconnect();
            (self.on_change)();
            return;
        }
        if self.welcomed.get() {
            self.send_frame(&ClientFrame::Ping { t: now_ms() });
        }
    }

    fn send_frame(&self, frame: &ClientFrame) {
        if let Ok(text) = serde_json::to_string(frame) {
            self.send_text(&text);
        }
    }

    fn send_text(&self, text: &str) {
        if let Some(s) = self.socket.borrow().as_ref() {
            if s.ws.ready_state() == WebSocket::OPEN {
                // A failed send shows up as a close event, which reconnects.
                let _ = s.ws.send_with_str(text);
            }
        }
    }

    /// Queues a command in the outbox (persisted at once) and sends it if we can. Returns
    /// the command's id, for a form that waits for its own answer.
    pub fn send(&self, command: Command) -> String {
        let id = new_command_id();
        let text = {
            let mut c = self.client.borrow_mut();
            c.enqueue(id.clone(), &command, now_ms());
            c.outbox.entries().last().map(Outbox::frame)
        };
        self.persist_outbox();
        if let (true, Some(text)) = (self.welcomed.get(), text) {
            self.send_text(&text);
        }
        (self.on_change)();
        id
    }

    /// Sends a reaction when the café's rule allows one now (the buttons are greyed
    /// otherwise; this keeps a quick double tap from sending one too many).
    pub fn react(self: &Rc<Self>, reaction: Reaction) {
        let now = now_ms();
        let (allowed, next) = {
            let mut c = self.client.borrow_mut();
            c.reaction_refused = false;
            let ok = c.me.is_some() && take_reaction(&mut c.my_reactions, now).is_ok();
            (ok, next_reaction_at(&c.my_reactions, now))
        };
        if let Some(at) = next {
            let weak = Rc::downgrade(self);
            let wake = Timeout::new((at - now).clamp(0, 60_000) as u32 + 20, move || {
                if let Some(s) = weak.upgrade() {
                    (s.on_change)();
                }
            });
            *self.reaction_wake.borrow_mut() = Some(wake);
        }
        if allowed {
            self.send(Command::React { reaction });
        } else {
            (self.on_change)();
        }
    }

    /// The called person read "You have the floor".
    pub fn dismiss_floor(&self) {
        self.client.borrow_mut().floor = None;
        (self.on_change)();
    }

    pub fn dismiss_notice(&self) {
        self.client.borrow_mut().notice = None;
        (self.on_change)();
    }

    fn drop_socket(&self) {
        if let Some(s) = self.socket.borrow_mut().take() {
            s.ws.set_onclose(None);
            s.ws.set_onmessage(None);
            s.ws.set_onopen(None);
            let _ = s.ws.close();
        }
        self.welcomed.set(false);
    }

    fn persist_outbox(&self) {
        let json = self.client.borrow().outbox.to_json();
        let mut saved = self.saved_outbox.borrow_mut();
        if *saved != json {
            storage::set_raw(&self.outbox_key, &json);
            *saved = json;
        }
    }

    fn persist_state(&self) {
        let mut c = self.client.borrow_mut();
        if !c.dirty {
            return;
        }
        c.dirty = false;
        if let Some(stored) = c.stored() {
            storage::set_raw(&self.state_key, &stored.snapshot);
            storage::set_raw(&log_key(&self.state_key), &stored.log);
            storage::set_raw(&who_key(&self.state_key), &stored.who);
        }
    }

    /// Says goodbye and releases the socket and timers (page left or token refused).
    pub fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        self.persist_state();
        self.persist_outbox();
        if self.welcomed.get() {
            self.send_frame(&ClientFrame::Bye);
        }
        self.drop_socket();
        self.retry.borrow_mut().take();
        self.timers.borrow_mut().clear();
        self.listeners.borrow_mut().clear();
    }

    /// Forgets what this browser stored for the café (used when the token is refused).
    pub fn forget(&self) {
        storage::remove(&who_key(&self.state_key));
        storage::remove(&log_key(&self.state_key));
        storage::remove(&self.state_key);
        storage::remove(&self.outbox_key);
    }
}

//! Finds a café's actor: a `DashMap<CafeId, CafeHandle>`, loading cafés lazily from the store
//! on first use (snapshot + events after it) and creating new ones.

use crate::cafe::{now_millis, Actor, ActorInit, CafeHandle};
use crate::config::Tuning;
use crate::metrics::Metrics;
use crate::store::{CafeRow, LoadedCafe, Store, StoreError, StoredEvent};
use base64::Engine;
use cafe_shared::{CafeId, CafeState, Event, JoinCode, Millis, PersonId, Rejection, SystemCommand};
use dashmap::DashMap;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub struct Registry {
    cafes: DashMap<CafeId, CafeHandle>,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    tuning: Tuning,
    /// Serialises loads so that two first visitors do not start two writers for one café.
    load_lock: tokio::sync::Mutex<()>,
    actors: TaskTracker,
    stop: CancellationToken,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Rejected(Rejection),
    #[error("{0}")]
    Import(crate::import::ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new café: its actor, its join code and the organiser's person id.
pub struct Created {
    pub handle: CafeHandle,
    pub code: JoinCode,
    pub organiser: Option<PersonId>,
}

/// Epochs stay below 2^53 so that JavaScript clients read them exactly.
fn new_epoch() -> u64 {
    rand::random::<u64>() & ((1 << 53) - 1)
}

fn new_cafe_id() -> CafeId {
    let bytes: [u8; 12] = rand::random();
    CafeId(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn new_code() -> Result<JoinCode, StoreError> {
    let bytes: [u8; 6] = rand::random();
    JoinCode::from_random(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Registry {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>, tuning: Tuning) -> Self {
        Self {
            cafes: DashMap::new(),
            store,
            metrics,
            tuning,
            load_lock: tokio::sync::Mutex::new(()),
            actors: TaskTracker::new(),
            stop: CancellationToken::new(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn live(&self, id: &CafeId) -> Option<CafeHandle> {
        let h = self.cafes.get(id).map(|h| h.clone())?;
        if h.is_closed() {
            // Unloaded (idle) or failed: forget it; the caller loads it again.
            self.cafes.remove_if(id, |_, h| h.is_closed());
            return None;
        }
        Some(h)
    }

    fn spawn(&self, loaded: LoadedCafe) -> CafeHandle {
        let (actor, handle) = Actor::new(ActorInit {
            loaded,
            store: self.store.clone(),
            metrics: self.metrics.clone(),
            tuning: self.tuning.clone(),
        });
        self.actors.spawn(actor.run(self.stop.clone()));
        self.cafes.insert(handle.id.clone(), handle.clone());
        handle
    }

    /// The café's actor, loading it if needed. `None`: no such café.
    pub async fn get(&self, id: &CafeId) -> Result<Option<CafeHandle>, StoreError> {
        if let Some(h) = self.live(id) {
            return Ok(Some(h));
        }
        if self.stop.is_cancelled() {
            return Err(StoreError::Db("the server is shutting down".into()));
        }
        let _guard = self.load_lock.lock().await;
        if let Some(h) = self.live(id) {
            return Ok(Some(h));
        }
        let Some(loaded) = self.store.load(id, self.tuning.ring_events as u64).await? else {
            return Ok(None);
        };
        tracing::debug!(cafe = %id, events = loaded.events.len(), "café loaded");
        Ok(Some(self.spawn(loaded)))
    }

    pub async fn by_code(&self, code: &JoinCode) -> Result<Option<CafeHandle>, StoreError> {
        match self.store.cafe_by_code(code).await? {
            Some(row) => self.get(&row.id).await,
            None => Ok(None),
        }
    }

    /// Creates a café whose history begins with the events `make` returns for the id and
    /// join code chosen here (a `create_cafe` decision, or an imported log). `make` runs
    /// once: on a join-code collision the new id and code are written into `cafe_created`
    /// instead, so an import's log is never held twice.
    pub async fn create(
        &self,
        make: impl FnOnce(CafeId, JoinCode, Millis) -> Result<Vec<Event>, CreateError>,
    ) -> Result<Created, CreateError> {
        let mut id = new_cafe_id();
        let mut code = new_code()?;
        let now = now_millis();
        let mut stored: Vec<StoredEvent> = make(id.clone(), code.clone(), now)?
            .into_iter()
            .enumerate()
            .map(|(i, event)| StoredEvent {
                seq: i as u64 + 1,
                at: now,
                command: None,
                event,
            })
            .collect();
        let mut state = CafeState::default();
        for e in &stored {
            state.apply(&e.event);
        }
        let organiser = state.organiser();
        drop(state);
        let mut last = None;
        // Join codes are short; on the rare collision pick another.
        for attempt in 0..8 {
            if attempt > 0 {
                id = new_cafe_id();
                code = new_code()?;
                if let Some(Event::CafeCreated { info, .. }) =
                    stored.first_mut().map(|e| &mut e.event)
                {
                    info.id = id.clone();
                    info.code = code.clone();
                }
            }
            let row = CafeRow {
                id: id.clone(),
                code: code.clone(),
                epoch: new_epoch(),
                created_at: now,
            };
            match self.store.create_cafe(&row, None, &stored).await {
                Ok(()) => {
                    let handle = self.spawn(LoadedCafe {
                        row,
                        snapshot: None,
                        events: stored,
                        commands: Vec::new(),
                        newest_snapshot: 0,
                    });
                    return Ok(Created {
                        handle,
                        code,
                        organiser,
                    });
                }
                Err(StoreError::Conflict(m)) => last = Some(StoreError::Conflict(m)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(last
            .unwrap_or_else(|| StoreError::Conflict("no free join code".into()))
            .into())
    }

    /// The decision that starts a new café.
    pub fn create_events(now: Millis, cmd: &SystemCommand) -> Result<Vec<Event>, CreateError> {
        CafeState::default()
            .decide_system(now, cmd)
            .map_err(CreateError::Rejected)
    }

    /// Stops every actor (each writes a final snapshot) and waits for them.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        self.actors.close();
        self.actors.wait().await;
    }
}
